//! `tally-init`: PID 1 of the tally appliance (see `tally_image::init`).
//!
//! Started by the kernel as `/init` from the initramfs. Started again by itself (not as PID 1)
//! with `--launch <console> <program arguments>` to put the tally program on its terminal.

fn main() {
    // PID 1 first, before its arguments are looked at: `std::env::args` panics on an argument
    // that is not UTF-8, and the kernel hands PID 1 the command line's unknown words.
    if std::process::id() == 1 {
        tally_image::init::run();
    }
    let args: Vec<String> = match std::env::args_os()
        .map(std::ffi::OsString::into_string)
        .collect::<Result<_, _>>()
    {
        Ok(a) => a,
        Err(bad) => {
            eprintln!("tally-init: argument {bad:?} is not UTF-8");
            std::process::exit(2);
        }
    };
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some(tally_image::init::LAUNCH_ARG), Some(console)) => {
            let err = tally_image::init::launch(console, args.get(3..).unwrap_or(&[]));
            eprintln!("tally-init --launch: {err}");
            std::process::exit(2);
        }
        _ => {
            eprintln!("tally-init is the appliance's PID 1; it does nothing when run otherwise");
            std::process::exit(2);
        }
    }
}
