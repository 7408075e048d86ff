//! `dealwire serve`: hands the options to the serve module.

use crate::cli::ServeArgs;
use crate::serve::{self, ServeOptions};

/// Serves until Ctrl-C; false when the server cannot start.
pub fn run(args: &ServeArgs) -> bool {
    let options = ServeOptions {
        root: args.root.clone(),
        interface: args.interface,
        port: args.port,
        drafts: args.drafts,
    };
    match serve::serve(&options) {
        Ok(()) => true,
        Err(message) => {
            eprintln!("error: {message}");
            false
        }
    }
}
