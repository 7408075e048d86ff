//! File watching for `serve`: the site's folders and `site.yaml`, debounced;
//! editor swap files and the output directory never trigger a rebuild. A site
//! folder created, deleted or restored while serving is watched (again) before
//! the rebuild that follows.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::RecursiveMode;
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::config::CONFIG_FILE;
use crate::source::SITE_FOLDERS;

/// notify's watcher behind its debouncer (`Watching` owns one).
pub type Debounced = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Watches the site under `root` and sends the set of changed paths that matter.
pub fn start(root: &Path, changes: Sender<HashSet<PathBuf>>) -> notify::Result<Watching> {
    let site_root = root.to_path_buf();
    // Long enough to join the events of one save (a write, or a temporary
    // file renamed over the old one), short enough not to be felt.
    let mut debouncer = new_debouncer(
        Duration::from_millis(10),
        None,
        move |result: DebounceEventResult| {
            if let Ok(events) = result {
                let paths: HashSet<PathBuf> = events
                    .iter()
                    .filter(|e| changes_content(&e.kind))
                    .flat_map(|e| e.paths.iter())
                    .filter(|p| matters(&site_root, p))
                    .cloned()
                    .collect();
                if !paths.is_empty() {
                    let _ = changes.send(paths);
                }
            }
        },
    )?;
    // The root itself, not recursively: `site.yaml`, and site folders created later.
    debouncer.watch(root, RecursiveMode::NonRecursive)?;
    let mut watcher = Watching {
        debouncer,
        folders: HashSet::new(),
    };
    watcher.follow_folders(root, &HashSet::new());
    Ok(watcher)
}

/// The running watcher and the site folders it watches; dropping it stops it.
pub struct Watching {
    debouncer: Debounced,
    /// The site folders under a recursive watch now (not merely once).
    folders: HashSet<&'static str>,
}

impl Watching {
    /// Brings the watches in line with the site folders on disk: a folder that
    /// exists and is not watched (created while serving, or deleted and created
    /// again) is watched, one that is gone is forgotten. A folder that is itself
    /// among `changed` (created, removed or renamed) is watched afresh: deleted
    /// and restored between two calls, it is there but its watch died with the
    /// old folder. Called before every rebuild, so the build reads what is watched.
    pub fn follow_folders(&mut self, root: &Path, changed: &HashSet<PathBuf>) {
        for folder in SITE_FOLDERS {
            let path = root.join(folder);
            let exists = path.is_dir();
            if self.folders.contains(folder) && (!exists || changed.contains(&path)) {
                // notify may have dropped the watch of a deleted folder already.
                let _ = self.debouncer.unwatch(&path);
                self.folders.remove(folder);
            }
            if exists
                && !self.folders.contains(folder)
                && self
                    .debouncer
                    .watch(&path, RecursiveMode::Recursive)
                    .is_ok()
            {
                self.folders.insert(folder);
            }
        }
    }
}

/// Reading a file (our own rebuild does) is an event too; only writes,
/// creations, removals and renames count.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// Whether a changed path can change the site: `site.yaml` or a file under a
/// site folder, and not an editor's swap, backup or lock file.
pub fn matters(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    let top_level_ok = first == CONFIG_FILE || SITE_FOLDERS.contains(&first.as_ref());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    top_level_ok && !crate::source::is_editor_scratch(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_files_matter() {
        let root = Path::new("/s");
        assert!(matters(root, Path::new("/s/site.yaml")));
        assert!(matters(root, Path::new("/s/content/articles/a.md")));
        assert!(matters(
            root,
            Path::new("/s/themes/default/templates/base.html")
        ));
        assert!(
            !matters(root, Path::new("/s/public/index.html")),
            "the output never triggers a rebuild"
        );
        assert!(!matters(root, Path::new("/s/content/articles/.a.md.swp")));
        assert!(!matters(root, Path::new("/s/content/articles/a.md~")));
        assert!(!matters(root, Path::new("/s/content/articles/4913")));
        assert!(!matters(root, Path::new("/s/content/articles/#a.md#")));
        assert!(!matters(root, Path::new("/elsewhere/site.yaml")));
    }
}
