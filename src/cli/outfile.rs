//! Output files (`-o`, `--rejects`, `--summary`): written whole or not at all, never over
//! something that is not theirs to replace.
//!
//! A regular file (or a new one) is written to an unpredictable temporary file in the
//! folder of the file a symbolic link finally points at, created with `O_EXCL` (so a
//! planted link is never followed), and renamed over the target only when every output of
//! the run is finished. Anything else that exists (a device such as `/dev/null`, a FIFO) is
//! written directly: renaming over it would replace it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// At most this many bytes of the target's name go into its temporary file's name, so that
/// a long (up to 255-byte) name still leaves room for the rest.
const TEMP_NAME_BYTES: usize = 200;

/// How many symbolic links are followed before giving up (as the kernel's `ELOOP`).
const MAX_LINKS: usize = 40;

/// Where an output goes once its path is resolved.
#[derive(Debug)]
pub(crate) enum Place {
    /// A regular file, or none yet: written beside it and renamed over it.
    File(PathBuf),
    /// An existing device, FIFO or socket: written into directly.
    Special(PathBuf),
}

/// Follows symbolic links to the path that will really be written; refuses folders.
pub(crate) fn resolve(path: &Path) -> Result<Place, String> {
    let shown = path.display();
    let text = path.as_os_str().to_string_lossy();
    if text.ends_with('/') || path.file_name().is_none() {
        return Err(format!(
            "{shown} names a folder: give a file name, e.g. {}",
            Path::new(text.trim_end_matches('/'))
                .join("decisions.csv")
                .display()
        ));
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return new_file(path, current),
            Err(e) => return Err(format!("cannot write {shown}: {e}")),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target =
                std::fs::read_link(&current).map_err(|e| format!("cannot write {shown}: {e}"))?;
            current = folder_of(&current).join(target);
        } else if kind.is_dir() {
            return Err(format!(
                "{shown} is a folder: give a file name, e.g. {}",
                path.join("decisions.csv").display()
            ));
        } else if kind.is_file() {
            return Ok(Place::File(current));
        } else {
            return Ok(Place::Special(current));
        }
    }
    Err(format!(
        "cannot write {shown}: too many symbolic links in a row"
    ))
}

/// A file that does not exist yet: its folder must.
fn new_file(asked: &Path, path: PathBuf) -> Result<Place, String> {
    let folder = folder_of(&path);
    if folder.is_dir() {
        Ok(Place::File(path))
    } else {
        Err(format!(
            "cannot write {}: the folder {} does not exist",
            asked.display(),
            folder.display()
        ))
    }
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A writer whose errors say what was being written where ("cannot write the rejects to
/// r.csv: …"), so that a failure deep in the runner names the right file.
pub(crate) struct Labeled<W> {
    inner: W,
    label: String,
}

impl<W> Labeled<W> {
    pub(crate) fn new(inner: W, what: &str, place: &str) -> Labeled<W> {
        Labeled {
            inner,
            label: format!("cannot write {what} to {place}"),
        }
    }

    fn wrap(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.label))
    }
}

impl<W: Write> Write for Labeled<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.wrap(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.wrap(e))
    }
}

type Buffered<W> = io::BufWriter<Labeled<W>>;

fn buffered<W: Write>(inner: W, what: &str, place: &str) -> Buffered<W> {
    io::BufWriter::with_capacity(1 << 16, Labeled::new(inner, what, place))
}

/// Standard output, a file written under a temporary name and renamed at the end, or a
/// device or FIFO written in place.
pub(crate) enum Target {
    Stdout(Buffered<io::Stdout>),
    Direct(Buffered<std::fs::File>),
    File {
        temp: TempPath,
        path: PathBuf,
        shown: String,
        file: Buffered<std::fs::File>,
    },
}

impl Target {
    /// Standard output for `None` or `-`, else the file.
    pub(crate) fn open(path: Option<&Path>, what: &str) -> Result<Target, String> {
        match path {
            Some(p) if p != Path::new("-") => Target::open_file(p, what),
            _ => Ok(Target::Stdout(buffered(
                io::stdout(),
                what,
                "standard output",
            ))),
        }
    }

    /// `what`: how errors name the output ("the decisions", "the rejects", "the summary").
    pub(crate) fn open_file(path: &Path, what: &str) -> Result<Target, String> {
        let shown = path.display().to_string();
        match resolve(path)? {
            Place::Special(real) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&real)
                    .map_err(|e| format!("cannot write {what} to {shown}: {e}"))?;
                Ok(Target::Direct(buffered(file, what, &shown)))
            }
            Place::File(real) => {
                let (file, temp) = create_temp(&real)
                    .map_err(|e| format!("cannot write {what} to {shown}: {e}"))?;
                sweep_stale(&real, &temp);
                Ok(Target::File {
                    file: buffered(file, what, &shown),
                    temp,
                    path: real,
                    shown,
                })
            }
        }
    }

    pub(crate) fn writer(&mut self) -> &mut (dyn Write + Send) {
        match self {
            Target::Stdout(w) => w,
            Target::Direct(file) | Target::File { file, .. } => file,
        }
    }

    /// Flushes and syncs; the file is not in place yet.
    fn finish(&mut self) -> Result<(), String> {
        let quiet_pipe = |r: io::Result<()>| match r {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
            _ => Ok(()),
        };
        match self {
            Target::Stdout(w) => quiet_pipe(w.flush()),
            Target::Direct(file) => file.flush().map_err(|e| e.to_string()),
            Target::File { file, shown, .. } => {
                file.flush().map_err(|e| e.to_string())?;
                file.get_ref()
                    .inner
                    .sync_all()
                    .map_err(|e| format!("cannot write {shown}: {e}"))
            }
        }
    }

    /// Renames a finished file into place.
    fn install(self) -> Result<(), String> {
        let Target::File {
            temp, path, shown, ..
        } = self
        else {
            return Ok(());
        };
        let registered = temp.to_path_buf();
        // On failure the temporary file is dropped, which removes it.
        let result = temp
            .persist(&path)
            .map_err(|e| format!("cannot write {shown}: {}", e.error));
        super::signals::forget_temp(&registered);
        result
    }

    /// Removes the unfinished file.
    pub(crate) fn discard(self) {
        if let Target::File { temp, file, .. } = self {
            drop(file);
            let registered = temp.to_path_buf();
            drop(temp);
            super::signals::forget_temp(&registered);
        }
    }
}

/// Finishes every output, then moves them all into place: when one cannot be finished
/// (a full disk) none replaces its earlier version.
pub(crate) fn commit_all(mut targets: Vec<Target>) -> Result<(), String> {
    let mut failed = None;
    for t in &mut targets {
        if let Err(e) = t.finish() {
            failed = Some(e);
            break;
        }
    }
    if let Some(e) = failed {
        targets.into_iter().for_each(Target::discard);
        return Err(e);
    }
    let mut result = Ok(());
    for t in targets {
        if result.is_ok() {
            result = t.install();
        } else {
            t.discard();
        }
    }
    result
}

/// `.NAME.PID.RANDOM.tmp` in the folder of `real`, created exclusively (never through an
/// existing file or link), with the permissions `real` has (or the usual ones when new).
fn create_temp(real: &Path) -> io::Result<(std::fs::File, TempPath)> {
    let mut builder = tempfile::Builder::new();
    let prefix = temp_prefix(real);
    builder.prefix(&prefix).suffix(".tmp").rand_bytes(8);
    let existing = std::fs::metadata(real).ok().map(|m| m.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // New files get 0666 less the umask, as `File::create` would give them.
        let mode = existing.as_ref().map_or(0o666, |p| p.mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    if let Some(p) = existing {
        builder.permissions(p);
    }
    let named = builder.tempfile_in(folder_of(real))?;
    let (file, temp) = named.into_parts();
    super::signals::register_temp(&temp);
    Ok((file, temp))
}

/// `.NAME.PID.` with NAME cut to [`TEMP_NAME_BYTES`] on a character boundary.
fn temp_prefix(real: &Path) -> String {
    format!("{}{}.", name_part(real), std::process::id())
}

/// `.NAME.`: what every temporary file of `real` starts with, whichever run made it.
fn name_part(real: &Path) -> String {
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut end = name.len().min(TEMP_NAME_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.", &name[..end])
}

/// Removes temporary files of the same target left by runs that were killed (SIGKILL, a
/// power cut): only files named exactly as this module names them, regular files (not
/// links) owned by the same user, whose process no longer runs. Best effort: where
/// `/proc` is missing nothing is removed.
fn sweep_stale(real: &Path, ours: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = name_part(real);
    let Ok(entries) = std::fs::read_dir(folder_of(real)) else {
        return;
    };
    let Ok(our_meta) = std::fs::symlink_metadata(ours) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = stale_pid(&name.to_string_lossy(), &prefix) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            if meta.file_type().is_file() && same_owner(&meta, &our_meta) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// The process id in `PREFIXPID.RANDOM.tmp` (RANDOM: 8 letters or digits).
fn stale_pid(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(".tmp")?;
    let (pid, random) = rest.split_once('.')?;
    let random_ok = random.len() == 8 && random.bytes().all(|b| b.is_ascii_alphanumeric());
    let pid_ok = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    (random_ok && pid_ok).then(|| pid.parse().ok()).flatten()
}

#[cfg(unix)]
fn same_owner(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.uid() == b.uid()
}

#[cfg(not(unix))]
fn same_owner(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// What makes two paths one file: device and inode of an existing file (so hard links and
/// bind mounts are seen through), else the resolved path of a file still to be made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    Node(u64, u64),
    Path(PathBuf),
}

/// The identity of an existing regular file (`None` for anything else: writing into a
/// device cannot destroy an input).
pub(crate) fn existing_file(path: &Path) -> Option<Identity> {
    if path == Path::new("-") {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Identity::Node(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(Identity::Path)
    }
}

/// The identity of an output path: `None` for standard output and devices.
pub(crate) fn output_identity(path: &Path) -> Option<Identity> {
    if path == Path::new("-") {
        return None;
    }
    if let Some(id) = existing_file(path) {
        return Some(id);
    }
    match resolve(path).ok()? {
        Place::Special(_) => None,
        Place::File(real) => {
            let folder = std::fs::canonicalize(folder_of(&real)).ok()?;
            Some(Identity::Path(folder.join(real.file_name()?)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_made_here_are_stale() {
        let p = ".out.csv.";
        assert_eq!(stale_pid(".out.csv.123.abcdEF12.tmp", p), Some(123));
        assert_eq!(stale_pid(".out.csv.123.abc.tmp", p), None);
        assert_eq!(stale_pid(".out.csv.x.abcdEF12.tmp", p), None);
        assert_eq!(stale_pid(".other.csv.123.abcdEF12.tmp", p), None);
        assert_eq!(stale_pid("out.csv", p), None);
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let name = "é".repeat(150);
        let part = name_part(Path::new(&name));
        assert!(part.len() <= TEMP_NAME_BYTES + 2);
    }
}
