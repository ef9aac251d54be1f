//! `trivial-init`: the benchmark's baseline init. It prints `TRIVIAL-INIT-UP` on the console
//! and powers off, and does nothing else, so that booting it measures the firmware, the kernel
//! and the initramfs alone. Not part of the appliance.

fn main() {
    println!("TRIVIAL-INIT-UP");
    rustix::fs::sync();
    if let Err(e) = rustix::system::reboot(rustix::system::RebootCommand::PowerOff) {
        eprintln!("trivial-init: power off failed: {e}");
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
