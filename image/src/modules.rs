//! Kernel modules: reading `modules.dep` and putting modules in load order.
//!
//! Used at build time (which modules go into the initramfs: the closure of
//! [`APPLIANCE_MODULES`]) and at boot by the init (in which order to load them).
//! `modules.dep` has one line per module: `path/to/a.ko: path/to/dep1.ko path/to/dep2.ko`,
//! paths relative to `/lib/modules/<release>/`.

use std::collections::{BTreeMap, BTreeSet};

/// The modules the appliance needs, by module name (`-` and `_` are the same). Everything
/// else the kernel package ships stays out of the image. Their dependencies come along.
///
/// - USB host controllers: `xhci_pci`, `ehci_pci`, `uhci_hcd`, `ohci_pci` (older sticks and ports).
/// - USB sticks: `usb_storage`, `uas`, `sd_mod` (the SCSI disk the stick shows up as).
/// - File systems on the sticks: `vfat` with `nls_cp437` (its default code page), `nls_ascii`
///   (its default iocharset: without it a vfat mount fails with EINVAL), `nls_utf8` (Debian's
///   kernel defaults vfat to utf8) and `ext4`, with `crc32c` (ext4 asks for it at mount time
///   through the crypto API; with module loading disabled it must already be there), and
///   `exfat` (sticks formatted by Windows and macOS larger than 32 GB; Debian's 6.1 ships it).
/// - Keyboards: `usbhid` and `hid_generic` (a USB keyboard on the appliance; PS/2 is built in).
/// - `efivarfs`: the init reads the firmware variable `LoaderDevicePartUUID` (set by the UKI's
///   stub) to find the stick it was booted from (mounted read-only, then unmounted).
pub const APPLIANCE_MODULES: &[&str] = &[
    "xhci_pci",
    "ehci_pci",
    "uhci_hcd",
    "ohci_pci",
    "usb_storage",
    "uas",
    "sd_mod",
    "vfat",
    "nls_cp437",
    "nls_ascii",
    "nls_utf8",
    "crc32c_generic",
    "crc32c_intel",
    "ext4",
    "exfat",
    "usbhid",
    "hid_generic",
    "efivarfs",
];

/// What is wrong with a `modules.dep` file or a module request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModulesError {
    /// A line of modules.dep has no `:` after the module's path.
    #[error("modules.dep line {line}: no ':' after the module path")]
    MissingColon {
        /// 1-based line number.
        line: usize,
    },
    /// A module is named twice in modules.dep.
    #[error("modules.dep line {line}: module {path} is listed twice")]
    Duplicate {
        /// 1-based line number.
        line: usize,
        /// The module's path.
        path: String,
    },
    /// A dependency (or a requested module) is not in modules.dep.
    #[error("module {name} is not in modules.dep (needed by {needed_by})")]
    Unknown {
        /// The module's name or path as requested.
        name: String,
        /// Who asked for it: the request, or the module that depends on it.
        needed_by: String,
    },
    /// The dependencies form a cycle (modules.dep is corrupt).
    #[error("modules.dep has a dependency cycle through {path}")]
    Cycle {
        /// A module on the cycle.
        path: String,
    },
}

/// A parsed `modules.dep`: for each module path (relative), its dependency paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModulesDep {
    /// Module paths in file order, with their dependencies.
    entries: Vec<(String, Vec<String>)>,
    /// Module path -> index in `entries`.
    by_path: BTreeMap<String, usize>,
}

/// The module name of a module path: the file name without `.ko` (and any compression
/// suffix), with `-` written as `_` (the kernel treats them as the same).
pub fn module_name(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = match file.find(".ko") {
        Some(i) => file.get(..i).unwrap_or(file),
        None => file,
    };
    stem.replace('-', "_")
}

impl ModulesDep {
    /// Parses the text of a `modules.dep` file. Blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<ModulesDep, ModulesError> {
        let mut dep = ModulesDep::default();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i.saturating_add(1);
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (path, deps) = line
                .split_once(':')
                .ok_or(ModulesError::MissingColon { line: line_no })?;
            let path = path.trim().to_string();
            if dep.by_path.contains_key(&path) {
                return Err(ModulesError::Duplicate {
                    line: line_no,
                    path,
                });
            }
            let deps: Vec<String> = deps.split_whitespace().map(str::to_string).collect();
            dep.by_path.insert(path.clone(), dep.entries.len());
            dep.entries.push((path, deps));
        }
        Ok(dep)
    }

    /// Number of modules listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no module is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The path of the module with this name (`-`/`_` insensitive), if listed.
    pub fn path_of(&self, name: &str) -> Option<&str> {
        let want = module_name(name);
        self.entries
            .iter()
            .map(|(p, _)| p.as_str())
            .find(|p| module_name(p) == want)
    }

    /// The modules named in `names` and everything they depend on, as paths in load order:
    /// every module comes after all of its dependencies. Deterministic: follows the order of
    /// `names`, then of each module's dependency list.
    pub fn closure(&self, names: &[&str]) -> Result<Vec<String>, ModulesError> {
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        for name in names {
            let path = self.path_of(name).ok_or_else(|| ModulesError::Unknown {
                name: (*name).to_string(),
                needed_by: "the appliance's module list".to_string(),
            })?;
            self.visit(path, &mut BTreeSet::new(), &mut done, &mut order)?;
        }
        Ok(order)
    }

    /// All listed modules in load order (dependencies first), following file order.
    pub fn load_order(&self) -> Result<Vec<String>, ModulesError> {
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        for (path, _) in &self.entries {
            self.visit(path, &mut BTreeSet::new(), &mut done, &mut order)?;
        }
        Ok(order)
    }

    /// A `modules.dep` text holding only `paths` (each with its dependency list), in that order.
    pub fn subset_text(&self, paths: &[String]) -> Result<String, ModulesError> {
        let mut out = String::new();
        for path in paths {
            let deps = self.deps_of(path, "the subset")?;
            out.push_str(path);
            out.push(':');
            for d in deps {
                out.push(' ');
                out.push_str(d);
            }
            out.push('\n');
        }
        Ok(out)
    }

    fn deps_of(&self, path: &str, needed_by: &str) -> Result<&[String], ModulesError> {
        self.by_path
            .get(path)
            .and_then(|&i| self.entries.get(i))
            .map(|(_, d)| d.as_slice())
            .ok_or_else(|| ModulesError::Unknown {
                name: path.to_string(),
                needed_by: needed_by.to_string(),
            })
    }

    fn visit(
        &self,
        path: &str,
        on_stack: &mut BTreeSet<String>,
        done: &mut BTreeSet<String>,
        order: &mut Vec<String>,
    ) -> Result<(), ModulesError> {
        if done.contains(path) {
            return Ok(());
        }
        if !on_stack.insert(path.to_string()) {
            return Err(ModulesError::Cycle {
                path: path.to_string(),
            });
        }
        let deps = self.deps_of(path, "the module list")?;
        for d in deps {
            if !self.by_path.contains_key(d) {
                return Err(ModulesError::Unknown {
                    name: d.clone(),
                    needed_by: path.to_string(),
                });
            }
            self.visit(d, on_stack, done, order)?;
        }
        on_stack.remove(path);
        done.insert(path.to_string());
        order.push(path.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // An excerpt of Debian 12's modules.dep for linux-image-6.1.0-50-amd64 (as written by depmod).
    const DEP: &str = "\
kernel/drivers/usb/host/xhci-pci.ko: kernel/drivers/usb/host/xhci-hcd.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/xhci-hcd.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/core/usbcore.ko: kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/common/usb-common.ko:
kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko
kernel/fs/fat/fat.ko:
kernel/fs/nls/nls_ascii.ko:
";

    #[test]
    fn closure_puts_dependencies_first() {
        let dep = ModulesDep::parse(DEP).unwrap();
        assert_eq!(dep.len(), 7);
        let order = dep.closure(&["xhci-pci", "vfat"]).unwrap();
        assert_eq!(
            order,
            vec![
                "kernel/drivers/usb/common/usb-common.ko",
                "kernel/drivers/usb/core/usbcore.ko",
                "kernel/drivers/usb/host/xhci-hcd.ko",
                "kernel/drivers/usb/host/xhci-pci.ko",
                "kernel/fs/fat/fat.ko",
                "kernel/fs/fat/vfat.ko",
            ]
        );
        assert!(!order.iter().any(|p| p.contains("nls_ascii")));
    }

    #[test]
    fn subset_round_trips_and_keeps_order() {
        let dep = ModulesDep::parse(DEP).unwrap();
        let order = dep.closure(&["vfat", "nls_ascii"]).unwrap();
        let text = dep.subset_text(&order).unwrap();
        let sub = ModulesDep::parse(&text).unwrap();
        assert_eq!(sub.load_order().unwrap(), order);
    }

    #[test]
    fn errors_are_precise() {
        assert_eq!(
            ModulesDep::parse("a.ko b.ko\n"),
            Err(ModulesError::MissingColon { line: 1 })
        );
        assert_eq!(
            ModulesDep::parse("a.ko:\n\na.ko:\n"),
            Err(ModulesError::Duplicate {
                line: 3,
                path: "a.ko".into()
            })
        );
        let dep = ModulesDep::parse("a.ko: b.ko\n").unwrap();
        assert_eq!(
            dep.load_order(),
            Err(ModulesError::Unknown {
                name: "b.ko".into(),
                needed_by: "a.ko".into()
            })
        );
        let dep = ModulesDep::parse("a.ko: b.ko\nb.ko: a.ko\n").unwrap();
        assert!(matches!(dep.load_order(), Err(ModulesError::Cycle { .. })));
        assert!(matches!(
            dep.closure(&["zz"]),
            Err(ModulesError::Unknown { .. })
        ));
    }

    #[test]
    fn names_ignore_dash_and_suffix() {
        assert_eq!(
            module_name("kernel/drivers/usb/host/xhci-pci.ko"),
            "xhci_pci"
        );
        assert_eq!(module_name("x/nls_cp437.ko.zst"), "nls_cp437");
    }
}
