//! The appliance's options on the kernel command line (`tally.*`).
//!
//! The command line is part of the signed UKI: with Secure Boot the stub ignores any command
//! line the boot loader passes, so these options are fixed when the image is built. Tests build
//! images with their own command line (e.g. the terminal on the second serial port).

/// Options the init reads from `/proc/cmdline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOptions {
    /// The terminal the program runs on, a name under `/dev` (`tally.console=`, default `tty1`).
    pub console: String,
    /// `tally.stick=optional`: when no boot stick with a `TALLY-DATA` partition is found at
    /// once, start the program anyway, without contract 1's arguments. Only for test harness
    /// images booted from a bare ESP (the program is then a test stand-in); the appliance's
    /// command line (signed into the UKI) never has it. Default `required`.
    pub stick_optional: bool,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            console: "tty1".to_string(),
            stick_optional: false,
        }
    }
}

/// Why an option was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CmdlineError {
    /// `tally.console=` names something that is not a plain terminal name (`tty1`, `ttyS1`).
    #[error("tally.console={0:?}: expected a terminal name like tty1 or ttyS1")]
    BadConsole(String),
    /// `tally.stick=` is neither `required` nor `optional`.
    #[error("tally.stick={0:?}: expected required or optional")]
    BadStick(String),
}

impl InitOptions {
    /// Reads the `tally.*` options from a kernel command line; other words are ignored.
    pub fn parse(cmdline: &str) -> Result<InitOptions, CmdlineError> {
        let mut o = InitOptions::default();
        for word in cmdline.split_whitespace() {
            if let Some(v) = word.strip_prefix("tally.console=") {
                let ok = v.starts_with("tty")
                    && v.len() <= 16
                    && v.bytes().all(|b| b.is_ascii_alphanumeric());
                if !ok {
                    return Err(CmdlineError::BadConsole(v.to_string()));
                }
                o.console = v.to_string();
            } else if let Some(v) = word.strip_prefix("tally.stick=") {
                o.stick_optional = match v {
                    "required" => false,
                    "optional" => true,
                    _ => return Err(CmdlineError::BadStick(v.to_string())),
                };
            }
        }
        Ok(o)
    }

    /// True when the console is a serial port (it then needs an explicit window size).
    pub fn console_is_serial(&self) -> bool {
        self.console.starts_with("ttyS")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_console() {
        let o = InitOptions::parse("console=ttyS0 quiet tally.console=ttyS1\n").unwrap();
        assert_eq!(o.console, "ttyS1");
        assert!(o.console_is_serial());
        let d = InitOptions::parse("quiet").unwrap();
        assert_eq!(d.console, "tty1");
        assert!(!d.console_is_serial());
        assert!(!d.stick_optional);
        assert!(
            InitOptions::parse("tally.stick=optional")
                .unwrap()
                .stick_optional
        );
        assert!(
            !InitOptions::parse("tally.stick=required")
                .unwrap()
                .stick_optional
        );
        assert_eq!(
            InitOptions::parse("tally.stick=maybe"),
            Err(CmdlineError::BadStick("maybe".into()))
        );
    }

    #[test]
    fn refuses_paths() {
        assert_eq!(
            InitOptions::parse("tally.console=../sda"),
            Err(CmdlineError::BadConsole("../sda".into()))
        );
        assert!(InitOptions::parse("tally.console=tty/../x").is_err());
        assert!(InitOptions::parse("tally.console=sda").is_err());
    }
}
