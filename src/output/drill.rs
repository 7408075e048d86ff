//! A kill drill for the swap, shared by the integration tests and the fuzz
//! target: build a previous output holding the user's dot entries, stage a
//! new one, stop the swap dead at a chosen step (and, optionally, the next
//! build's recovery too), then check that nothing was lost and that the
//! following builds, failed or not, leave exactly one whole site in place.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::{MARKER, Output, Staging, recover_killed_before, write};

/// One drill: the previous output (none when `old` is `None`), the new one,
/// the user's files under top-level dot entries, and where the kills land.
#[derive(Clone, Debug, Default)]
pub struct Drill {
    /// The previous output's files, or no previous output.
    pub old: Option<Vec<(String, Vec<u8>)>>,
    /// The new build's files.
    pub new: Vec<(String, Vec<u8>)>,
    /// The user's files in the previous output (`.git/HEAD`): kept always.
    pub kept: Vec<(String, Vec<u8>)>,
    /// The step of the swap before which the build dies.
    pub kill_swap: usize,
    /// The step of the next build's recovery before which it dies too.
    pub kill_recovery: Option<usize>,
}

/// Runs `drill` in the empty folder `dir`. `Ok(true)` when the swap was
/// killed, `Ok(false)` when it had fewer steps than `kill_swap` and finished;
/// `Err` names the first broken promise.
pub fn run(dir: &Path, drill: &Drill) -> Result<bool, String> {
    let root = dir.join("site");
    let target = dir.join("out");
    fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let err = |e: super::WriteError| e.to_string();
    let old = drill.old.as_ref().map(|files| output_of(files));
    let new = output_of(&drill.new);
    if let Some(old) = &old {
        write(old, &target, &root).map_err(err)?;
        for (rel, bytes) in &drill.kept {
            let path = target.join(rel);
            fs::create_dir_all(path.parent().expect("parent")).map_err(|e| e.to_string())?;
            fs::write(&path, bytes).map_err(|e| e.to_string())?;
        }
    }
    let kept: &[(String, Vec<u8>)] = if old.is_some() { &drill.kept } else { &[] };
    let staging = Staging::begin(&target, &root).map_err(err)?;
    for (rel, bytes) in new.iter() {
        staging.put(rel, bytes).map_err(err)?;
    }
    let killed = staging.finish_killed_before(drill.kill_swap).map_err(err)?;
    nothing_lost(dir, kept, "after the kill")?;
    if let Some(step) = drill.kill_recovery {
        // Killed again, in the next build's recovery: its error says so.
        let _ = recover_killed_before(&target, step);
        nothing_lost(dir, kept, "after the recovery's kill")?;
    }
    // A following build that fails: it only recovers, then removes its staging.
    drop(Staging::begin(&target, &root).map_err(err)?);
    let site = site_files(&target)?;
    let old_site = old.as_ref().map(files_of).unwrap_or_default();
    let new_site = files_of(&new);
    if site != old_site && site != new_site {
        return Err(format!(
            "after a failed build the output is neither the old site nor the new one: {:?}",
            site.keys().collect::<Vec<_>>()
        ));
    }
    user_files_in(&target, kept, "after a failed build")?;
    no_leftovers(dir, "after a failed build")?;
    write(&new, &target, &root).map_err(err)?;
    if site_files(&target)? != new_site {
        return Err("a successful build does not leave the new site".into());
    }
    user_files_in(&target, kept, "after a successful build")?;
    no_leftovers(dir, "after a successful build")?;
    Ok(killed)
}

fn output_of(files: &[(String, Vec<u8>)]) -> Output {
    let mut output = Output::new();
    for (rel, bytes) in files {
        output.insert(rel.clone(), bytes.clone());
    }
    output
}

fn files_of(output: &Output) -> BTreeMap<String, Vec<u8>> {
    output
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect()
}

/// The site's files in an output folder: all but the marker and the
/// top-level dot entries.
fn site_files(target: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    if !target.exists() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(target).min_depth(1) {
        let entry = entry.map_err(|e| e.to_string())?;
        let rel = entry
            .path()
            .strip_prefix(target)
            .expect("under target")
            .to_string_lossy()
            .into_owned();
        if rel.starts_with('.') || !entry.file_type().is_file() {
            continue;
        }
        let bytes = fs::read(entry.path()).map_err(|e| e.to_string())?;
        files.insert(rel, bytes);
    }
    Ok(files)
}

/// Every user file is somewhere under `dir` (the target or a leftover
/// folder beside it), whole.
fn nothing_lost(dir: &Path, kept: &[(String, Vec<u8>)], when: &str) -> Result<(), String> {
    for (rel, bytes) in kept {
        let found = fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .any(|e| fs::read(e.path().join(rel)).is_ok_and(|b| &b == bytes));
        if !found {
            return Err(format!("{rel} is lost {when}"));
        }
    }
    Ok(())
}

fn user_files_in(target: &Path, kept: &[(String, Vec<u8>)], when: &str) -> Result<(), String> {
    for (rel, bytes) in kept {
        if !fs::read(target.join(rel)).is_ok_and(|b| &b == bytes) {
            return Err(format!("{rel} is not in the output {when}"));
        }
    }
    Ok(())
}

fn no_leftovers(dir: &Path, when: &str) -> Result<(), String> {
    let left: Vec<String> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "site" && n != "out")
        .collect();
    if !left.is_empty() {
        return Err(format!("left beside the output {when}: {left:?}"));
    }
    if dir.join("out").exists() && !dir.join("out").join(MARKER).is_file() {
        return Err(format!("the output has no marker {when}"));
    }
    Ok(())
}
