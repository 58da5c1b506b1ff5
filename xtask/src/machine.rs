//! Facts about the machine, the tools and the tree, for `results.json`.

use crate::results::Machine;
use serde_json::{Map, Value};
use std::path::Path;
use std::process::Command;

/// Runs a command and returns its trimmed stdout, if it succeeded.
pub fn output(cmd: &str, args: &[&str], dir: &Path) -> Option<String> {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// CPU, memory, OS, kernel, frequency governor and virtualization, read from
/// /proc and /sys.
pub fn machine() -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let field = |key: &str| {
        cpuinfo
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let flags = field("flags").unwrap_or_default();
    let mut cpu_model = field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let ids: Vec<String> = [
        ("cpu family", "family"),
        ("model", "model"),
        ("stepping", "stepping"),
    ]
    .into_iter()
    .filter_map(|(k, name)| field(k).map(|v| format!("{name} {v}")))
    .collect();
    if !ids.is_empty() {
        cpu_model = format!("{cpu_model} ({})", ids.join(", "));
    }
    let detail: Vec<String> = [("cpu MHz", "MHz"), ("cache size", "cache")]
        .into_iter()
        .filter_map(|(k, name)| field(k).map(|v| format!("{name} {v}")))
        .collect();
    let os_release = read("/etc/os-release");
    let pretty = os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(
            || "unknown".to_string(),
            |kb| format!("{:.1} GiB", kb as f64 / (1024.0 * 1024.0)),
        );
    let governor = match read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").trim() {
        "" => "none exposed (no /sys/devices/system/cpu/cpu0/cpufreq)".to_string(),
        g => g.to_string(),
    };
    let vendor = read("/sys/class/dmi/id/sys_vendor").trim().to_string();
    let product = read("/sys/class/dmi/id/product_name").trim().to_string();
    let hypervisor = flags.split_whitespace().any(|f| f == "hypervisor");
    let virtualization = match (hypervisor, vendor.is_empty() && product.is_empty()) {
        (true, true) => "virtual machine (cpuinfo flag `hypervisor`; no DMI vendor)".to_string(),
        (true, false) => format!("virtual machine ({vendor} {product})").replace("  ", " "),
        (false, true) => "none detected".to_string(),
        (false, false) => format!("none detected ({vendor} {product})"),
    };
    Machine {
        cpu_model,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        os: if kernel.is_empty() {
            pretty
        } else {
            format!("{pretty}, kernel {kernel}")
        },
        cpu_detail: detail.join(", "),
        cpu_flags: flags,
        memory,
        kernel,
        governor,
        virtualization,
    }
}

/// Versions of the crates `names` as locked in `Cargo.lock`.
pub fn crate_versions(lock: &str, names: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut name: Option<&str> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"'));
        } else if let (Some(n), Some(v)) = (name, line.strip_prefix("version = ")) {
            if names.contains(&n) && !out.contains_key(n) {
                out.insert(n.to_string(), Value::from(v.trim_matches('"')));
            }
            name = None;
        }
    }
    out
}

/// The version in `go version` output (`go version go1.23.5 linux/amd64`)
/// as (major, minor, patch).
pub fn go_version(text: &str) -> Option<(u32, u32, u32)> {
    let v = text.split_whitespace().find_map(|w| {
        w.strip_prefix("go")
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })?;
    let mut parts = v
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
        parts.next().flatten().unwrap_or(0),
    ))
}

/// Where Go may be installed besides `go` on PATH: Debian's versioned
/// packages (`golang-1.23-go` from bookworm-backports installs
/// `/usr/lib/go-1.23/bin/go` and puts nothing on PATH).
fn go_candidates() -> Vec<std::path::PathBuf> {
    let mut out = vec![std::path::PathBuf::from("go")];
    if let Ok(dir) = std::fs::read_dir("/usr/lib") {
        let mut found: Vec<_> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n == "go" || n.starts_with("go-"))
            })
            .map(|p| p.join("bin").join("go"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// The newest Go among `go` on PATH and Debian's versioned installs: its
/// command and `go version` output.
pub fn find_go(dir: &Path) -> Option<(std::path::PathBuf, String)> {
    go_candidates()
        .into_iter()
        .filter_map(|bin| {
            let text = output(bin.to_str()?, &["version"], dir)?;
            let v = go_version(&text)?;
            Some((v, bin, text))
        })
        .max_by_key(|(v, _, _)| *v)
        .map(|(_, bin, text)| (bin, text))
}

/// `git rev-parse HEAD`, marked `-dirty` when the tree has changes.
pub fn git_commit(root: &Path) -> String {
    match output("git", &["rev-parse", "HEAD"], root) {
        Some(head) => {
            let dirty =
                output("git", &["status", "--porcelain"], root).is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{head}-dirty")
            } else {
                head
            }
        }
        None => "unknown (no commit)".to_string(),
    }
}

/// Now, in UTC, as `2026-11-28T05:12:09Z`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Formats seconds since the Unix epoch (days to civil date after H. Hinnant).
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
