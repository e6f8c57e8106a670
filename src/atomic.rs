//! Atomic file writes: a reader, or a process killed halfway, sees the old content or the new,
//! never a mix. The bytes go to a sibling temporary file (`tempfile`: an unguessable name,
//! created exclusively), are flushed to disk, and the file is renamed over the target. A rename
//! replaces a symbolic link at the target instead of following it.

use std::io::Write;
use std::path::Path;

/// The permissions a written file gets (the process's umask applies, as to any file created).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read and write, as `File::create` makes a file (0666 before the umask).
    Plain,
    /// A program git runs (a hook): 0755 before the umask.
    Executable,
}

impl Mode {
    #[cfg(unix)]
    fn bits(self) -> u32 {
        match self {
            Mode::Plain => 0o666,
            Mode::Executable => 0o755,
        }
    }
}

/// Replace (or create) `path` with `bytes`, atomically, with `mode`.
pub fn write(path: &Path, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.plan-lint-");
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode.bits()));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    // On failure the temporary file is removed when dropped.
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("COMMIT_EDITMSG");
        write(&path, b"old\n", Mode::Plain).unwrap();
        write(&path, b"new\n", Mode::Plain).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["COMMIT_EDITMSG"]);
        // A directory that does not exist: an error, and nothing left behind.
        assert!(write(&dir.path().join("missing/x"), b"x", Mode::Plain).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_kept_and_links_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let hook = dir.path().join("pre-commit");
        write(&hook, b"#!/bin/sh\n", Mode::Executable).unwrap();
        // Executable by its owner whatever the umask (it clears group and other bits at most),
        // and never writable by others.
        assert_eq!(mode(&hook) & 0o700, 0o700, "{:o}", mode(&hook));
        assert_eq!(mode(&hook) & 0o022, 0, "{:o}", mode(&hook));
        let plain = dir.path().join("promises.toml");
        write(&plain, b"x", Mode::Plain).unwrap();
        assert_eq!(mode(&plain) & 0o711, 0o600, "{:o}", mode(&plain));
        // Rewriting a hook keeps it executable.
        write(&hook, b"#!/bin/sh\nexit 0\n", Mode::Executable).unwrap();
        assert_eq!(mode(&hook) & 0o700, 0o700);

        let target = dir.path().join("target");
        std::fs::write(&target, "kept").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(&link, b"written", Mode::Plain).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "written");
    }
}
