//! Kernel modules: reading `modules.dep` and putting modules in load order.
//!
//! Used at build time (which modules go into the initramfs: the closure of
//! [`APPLIANCE_MODULES`]) and at boot by the init (which of them this machine needs, and in
//! which order they may be loaded in parallel: [`ModulesDep::boot_plan`], [`LoadPlan`]).
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

/// The USB host controller drivers and the PCI class code (class, subclass, programming
/// interface, as in sysfs's `class` file) of the controllers each drives. At boot the init
/// loads only the drivers of the controllers the machine has ([`absent_host_controllers`]):
/// a PC of the last ten years has only xHCI, QEMU's q35 machine of the tests too.
pub const USB_HOST_CONTROLLERS: &[(&str, u32)] = &[
    ("xhci_pci", 0x0c_03_30),
    ("ehci_pci", 0x0c_03_20),
    ("ohci_pci", 0x0c_03_10),
    ("uhci_hcd", 0x0c_03_00),
];

/// Orderings the kernel's `modules.dep` does not have but its `modules.softdep` does (Debian
/// 12's 6.1): `ohci_pci` and `uhci_hcd` load after `ehci_pci` (the USB 1.1 companions of an
/// EHCI controller; loaded first, the kernel warns and a port may be handed over wrongly).
/// Applied by [`ModulesDep::boot_plan`] when both are in the plan, as (module, after).
pub const SOFT_DEPENDENCIES: &[(&str, &str)] =
    &[("ohci_pci", "ehci_pci"), ("uhci_hcd", "ehci_pci")];

/// The order of urgency at boot: first the USB host controller drivers (and what they need),
/// then the stick's drivers, then everything else. A module of a later tier is handed out
/// only when every module of the earlier tiers has been: on a machine with one CPU (QEMU's
/// in the tests) the host controller comes up without sharing the CPU with `ext4`, and the
/// kernel finds the boot stick while the rest load.
pub const BOOT_TIERS: &[&[&str]] = &[
    &["xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd"],
    &["usb_storage", "uas", "sd_mod"],
];

/// Module parameters given at boot, by module name. `usb_storage`'s `delay_use=0`: the boot
/// stick is scanned as soon as it is found instead of after the default second of "settling"
/// (the firmware has just read the image from it, so it has settled). The init sets the
/// parameter back to [`USB_STORAGE_DELAY_USE`] once the boot stick is attached, so every stick
/// plugged in later gets the kernel's usual delay.
pub const BOOT_PARAMETERS: &[(&str, &std::ffi::CStr)] = &[("usb_storage", c"delay_use=0")];

/// The kernel's default `usb_storage.delay_use` (seconds), restored after the boot stick is found.
pub const USB_STORAGE_DELAY_USE: &str = "1";

/// The parameters to load the module at `path` with (empty for most).
pub fn boot_parameters(path: &str) -> &'static std::ffi::CStr {
    let name = module_name(path);
    BOOT_PARAMETERS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(c"", |(_, p)| *p)
}

/// The host controller drivers of [`USB_HOST_CONTROLLERS`] for which no controller of their
/// class is among `pci_classes` (the `class` files of `/sys/bus/pci/devices/*`).
pub fn absent_host_controllers(pci_classes: &[u32]) -> Vec<&'static str> {
    USB_HOST_CONTROLLERS
        .iter()
        .filter(|(_, class)| !pci_classes.contains(class))
        .map(|(name, _)| *name)
        .collect()
}

/// Where a module of a [`LoadPlan`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Not handed out yet.
    Waiting,
    /// Handed out to a loader, not finished.
    Loading,
    /// Loaded, or its load failed (a dependent then fails too, with the kernel's reason).
    Finished,
}

/// The modules to load at boot, each with its dependencies inside the plan, and how far each
/// is. Several loaders take modules from it at once ([`LoadPlan::take_ready`]); a module is handed
/// out only when all its dependencies have finished, so the kernel finds every symbol it
/// needs. Among the modules that are ready, the earliest in the plan's order comes first (the
/// USB host controller and the stick's drivers, as in [`APPLIANCE_MODULES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    /// Module paths in load order, with the indices of their dependencies.
    modules: Vec<(String, Vec<usize>)>,
    /// The [`BOOT_TIERS`] tier of each module (`BOOT_TIERS.len()` for the rest).
    tiers: Vec<usize>,
    /// The step of each module.
    steps: Vec<Step>,
}

impl LoadPlan {
    /// The module paths in order (dependencies first).
    #[cfg(test)]
    pub fn paths(&self) -> Vec<&str> {
        self.modules.iter().map(|(p, _)| p.as_str()).collect()
    }

    /// Number of modules in the plan.
    pub fn len(&self) -> usize {
        self.modules.len()
    }

    /// True when the plan holds no module.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The first module not yet handed out whose dependencies have all finished, marked as
    /// loading: its index and path. `None` when no module is ready now (see
    /// [`LoadPlan::all_handed_out`]).
    pub fn take_ready(&mut self) -> Option<(usize, String)> {
        // The most urgent tier with a module still waiting.
        let tier = self
            .steps
            .iter()
            .zip(&self.tiers)
            .filter(|(s, _)| **s == Step::Waiting)
            .map(|(_, t)| *t)
            .min()?;
        let i = (0..self.modules.len()).find(|&i| {
            let deps = self.modules.get(i).map_or(&[][..], |(_, d)| d.as_slice());
            self.steps.get(i) == Some(&Step::Waiting)
                && self.tiers.get(i) == Some(&tier)
                && deps
                    .iter()
                    .all(|&d| self.steps.get(d) == Some(&Step::Finished))
        })?;
        let step = self.steps.get_mut(i)?;
        *step = Step::Loading;
        self.modules.get(i).map(|(p, _)| (i, p.clone()))
    }

    /// Marks the module handed out as `index` finished (loaded or failed).
    pub fn finish(&mut self, index: usize) {
        if let Some(step) = self.steps.get_mut(index) {
            *step = Step::Finished;
        }
    }

    /// True when every module has been handed out: a loader with nothing left to take stops.
    pub fn all_handed_out(&self) -> bool {
        self.steps.iter().all(|s| *s != Step::Waiting)
    }
}

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

    /// All listed modules in load order (dependencies first), following file order: the
    /// order the boot plan must respect, as its tests compare it.
    #[cfg(test)]
    pub fn load_order(&self) -> Result<Vec<String>, ModulesError> {
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        for (path, _) in &self.entries {
            self.visit(path, &mut BTreeSet::new(), &mut done, &mut order)?;
        }
        Ok(order)
    }

    /// What the init loads at boot: every module of this `modules.dep` except those named in
    /// `skip` (`-`/`_` insensitive) and the dependencies that only they need, dependencies
    /// first, in file order otherwise (the build writes the image's `modules.dep` in
    /// [`APPLIANCE_MODULES`]' order, so the USB drivers come first).
    pub fn boot_plan(&self, skip: &[&str]) -> Result<LoadPlan, ModulesError> {
        let skip: BTreeSet<String> = skip.iter().map(|n| module_name(n)).collect();
        let needed: BTreeSet<&str> = self
            .entries
            .iter()
            .flat_map(|(_, deps)| deps.iter().map(String::as_str))
            .collect();
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        for (path, _) in &self.entries {
            // The roots: modules no other module needs, and not skipped.
            if needed.contains(path.as_str()) || skip.contains(&module_name(path)) {
                continue;
            }
            self.visit(path, &mut BTreeSet::new(), &mut done, &mut order)?;
        }
        let index: BTreeMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        let mut modules = Vec::with_capacity(order.len());
        for path in &order {
            let deps: Vec<usize> = self
                .deps_of(path, "the boot plan")?
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect();
            modules.push((path.clone(), deps));
        }
        for (module, after) in SOFT_DEPENDENCIES {
            let find = |name: &str| order.iter().position(|p| module_name(p) == name);
            if let (Some(m), Some(a)) = (find(module), find(after))
                && let Some((_, deps)) = modules.get_mut(m)
            {
                deps.push(a);
            }
        }
        let mut tiers = vec![BOOT_TIERS.len(); modules.len()];
        for (t, names) in BOOT_TIERS.iter().enumerate() {
            let present: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| order.iter().any(|p| module_name(p) == module_name(n)))
                .collect();
            for path in self.closure(&present)? {
                if let Some(i) = index.get(path.as_str())
                    && let Some(tier) = tiers.get_mut(*i)
                {
                    *tier = (*tier).min(t);
                }
            }
        }
        let steps = vec![Step::Waiting; modules.len()];
        Ok(LoadPlan {
            modules,
            tiers,
            steps,
        })
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

    // The image's modules.dep as the build writes it: closure order, host controllers first.
    const IMAGE_DEP: &str = "\
kernel/drivers/usb/common/usb-common.ko:
kernel/drivers/usb/core/usbcore.ko: kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/xhci-hcd.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/xhci-pci.ko: kernel/drivers/usb/host/xhci-hcd.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/ehci-hcd.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/ehci-pci.ko: kernel/drivers/usb/host/ehci-hcd.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/host/uhci-hcd.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/drivers/scsi/scsi_mod.ko:
kernel/drivers/usb/storage/usb-storage.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
kernel/fs/fat/fat.ko:
kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko
kernel/fs/nls/nls_ascii.ko:
";

    #[test]
    fn boot_plan_skips_absent_controllers_and_their_own_dependencies() {
        let dep = ModulesDep::parse(IMAGE_DEP).unwrap();
        // Only an xHCI controller (QEMU's q35, a recent PC) and some other PCI devices.
        let absent = absent_host_controllers(&[0x06_00_00, 0x0c_03_30, 0x02_00_00]);
        assert_eq!(absent, vec!["ehci_pci", "ohci_pci", "uhci_hcd"]);
        let plan = dep.boot_plan(&absent).unwrap();
        assert_eq!(
            plan.paths(),
            vec![
                "kernel/drivers/usb/common/usb-common.ko",
                "kernel/drivers/usb/core/usbcore.ko",
                "kernel/drivers/usb/host/xhci-hcd.ko",
                "kernel/drivers/usb/host/xhci-pci.ko",
                "kernel/drivers/scsi/scsi_mod.ko",
                "kernel/drivers/usb/storage/usb-storage.ko",
                "kernel/fs/fat/fat.ko",
                "kernel/fs/fat/vfat.ko",
                "kernel/fs/nls/nls_ascii.ko",
            ]
        );
        // A machine with every kind of controller loads everything.
        let all: Vec<u32> = USB_HOST_CONTROLLERS.iter().map(|(_, c)| *c).collect();
        assert!(absent_host_controllers(&all).is_empty());
        assert_eq!(dep.boot_plan(&[]).unwrap().len(), dep.len());
    }

    #[test]
    fn companion_controllers_wait_for_ehci() {
        let dep = ModulesDep::parse(IMAGE_DEP).unwrap();
        let mut plan = dep.boot_plan(&["xhci_pci"]).unwrap();
        let take = |plan: &mut LoadPlan| {
            let mut got = Vec::new();
            while let Some((i, p)) = plan.take_ready() {
                got.push((i, module_name(&p)));
            }
            for (i, _) in &got {
                plan.finish(*i);
            }
            got.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
        };
        assert_eq!(take(&mut plan), ["usb_common"]);
        assert_eq!(take(&mut plan), ["usbcore"]);
        // uhci_hcd depends on usbcore only in modules.dep, but waits for ehci_pci.
        assert_eq!(take(&mut plan), ["ehci_hcd"]);
        assert_eq!(take(&mut plan), ["ehci_pci"]);
        assert_eq!(take(&mut plan), ["uhci_hcd", "scsi_mod"]);
        assert_eq!(take(&mut plan), ["usb_storage", "fat", "nls_ascii"]);
        assert_eq!(take(&mut plan), ["vfat"]);
        assert!(plan.all_handed_out());
    }

    #[test]
    fn plan_hands_out_a_module_only_after_its_dependencies() {
        let dep = ModulesDep::parse(IMAGE_DEP).unwrap();
        let mut plan = dep.boot_plan(&["ehci_pci", "uhci_hcd"]).unwrap();
        // First the host controller's chain alone (tier 0), one module at a time here.
        let (a, pa) = plan.take_ready().unwrap();
        assert_eq!(pa, "kernel/drivers/usb/common/usb-common.ko");
        assert_eq!(plan.take_ready(), None);
        assert!(!plan.all_handed_out());
        plan.finish(a);
        let (core, p) = plan.take_ready().unwrap();
        assert_eq!(p, "kernel/drivers/usb/core/usbcore.ko");
        assert_eq!(plan.take_ready(), None);
        plan.finish(core);
        let (hcd, p) = plan.take_ready().unwrap();
        assert_eq!(p, "kernel/drivers/usb/host/xhci-hcd.ko");
        plan.finish(hcd);
        let (pci, p) = plan.take_ready().unwrap();
        assert_eq!(p, "kernel/drivers/usb/host/xhci-pci.ko");
        // Tier 0 all handed out: while xhci-pci loads, the stick's drivers (tier 1) start;
        // usb-storage waits for scsi_mod, and the rest (tier 2) for usb-storage to be handed out.
        let (b, pb) = plan.take_ready().unwrap();
        assert_eq!(pb, "kernel/drivers/scsi/scsi_mod.ko");
        assert_eq!(plan.take_ready(), None);
        plan.finish(b);
        let (st, p) = plan.take_ready().unwrap();
        assert_eq!(p, "kernel/drivers/usb/storage/usb-storage.ko");
        let (_, pc) = plan.take_ready().unwrap();
        assert_eq!(pc, "kernel/fs/fat/fat.ko");
        // Simulated loaders: everything comes out exactly once, each after its dependencies.
        let mut finished: Vec<String> = vec![pa, pb];
        for i in [core, hcd] {
            finished.push(plan.paths()[i].to_string());
        }
        let mut loading = vec![
            (pci, plan.paths()[pci].to_string()),
            (st, p),
            (plan.paths().iter().position(|x| *x == pc).unwrap(), pc),
        ];
        loop {
            while let Some((i, path)) = plan.take_ready() {
                for d in dep.deps_of(&path, "test").unwrap() {
                    assert!(finished.contains(d), "{path} handed out before {d}");
                }
                loading.push((i, path));
            }
            let Some((i, path)) = loading.pop() else {
                break;
            };
            plan.finish(i);
            finished.push(path);
        }
        assert!(plan.all_handed_out());
        assert_eq!(finished.len(), plan.len());
    }

    #[test]
    fn usb_storage_is_loaded_without_the_settle_delay() {
        assert_eq!(
            boot_parameters("kernel/drivers/usb/storage/usb-storage.ko"),
            c"delay_use=0"
        );
        assert_eq!(boot_parameters("kernel/fs/fat/vfat.ko"), c"");
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
