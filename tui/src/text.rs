//! Every text the terminal shows, in one catalogue per language.
//!
//! Dutch is the default; English is chosen with `--lang en` or the language key on the start
//! screen. A text with parameters carries `{0}`, `{1}`, ... placeholders, filled by
//! [`Msg::fill`]. The catalogue is one macro invocation, so a key without both languages
//! does not compile; the tests check that no text is empty and that both languages use the
//! same placeholders.

/// The language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Dutch, the default.
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// The other language (the language key toggles).
    pub fn toggled(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }

    /// Parses `nl` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Builds a message catalogue: the `Msg` enum (documented with the first doc line), its
/// `ALL` keys, and its `nl`, `en`, `text` and `fill`. Also used by the higher levels'
/// catalogue ([`crate::higher::text`]).
macro_rules! catalogue {
    (#[doc = $enum_doc:literal] $( $(#[$doc:meta])* $key:ident => $nl:expr, $en:expr; )*) => {
        #[doc = $enum_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $( $(#[$doc])* $key, )*
        }

        impl Msg {
            /// Every key, for the completeness test.
            pub const ALL: &'static [Msg] = &[ $( Msg::$key, )* ];

            /// The Dutch text.
            pub fn nl(self) -> &'static str {
                match self { $( Msg::$key => $nl, )* }
            }

            /// The English text.
            pub fn en(self) -> &'static str {
                match self { $( Msg::$key => $en, )* }
            }

            /// The text in `lang`.
            pub fn text(self, lang: $crate::text::Lang) -> &'static str {
                match lang {
                    $crate::text::Lang::Nl => self.nl(),
                    $crate::text::Lang::En => self.en(),
                }
            }

            /// The text in `lang` with `{0}`, `{1}`, ... replaced by `args`.
            pub fn fill(self, lang: $crate::text::Lang, args: &[&str]) -> String {
                $crate::text::fill_template(self.text(lang), args)
            }
        }
    };
}
pub(crate) use catalogue;

/// `template` with each `{n}` replaced by `args[n]`, in one pass: an argument (a folder name
/// or a stick's label, from outside) that itself contains `{1}` is shown as it is, never
/// filled in. A `{n}` without an argument stays as written.
pub fn fill_template(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        out.push_str(before);
        let arg = from_brace.find('}').and_then(|close| {
            let index = from_brace.get(1..close)?;
            let n: usize = index.parse().ok()?;
            Some((close, *args.get(n)?))
        });
        match arg {
            Some((close, value)) => {
                out.push_str(value);
                rest = from_brace.get(close + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = from_brace.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

catalogue! {
    #[doc = "A message key: one text in each language."]
    /// Program name in the header.
    AppName => "Telprogramma", "Tally";
    /// The demo marker.
    Demo => "DEMO", "DEMO";
    /// Marker before an error.
    ErrorMark => "X", "X";
    /// Marker before a warning.
    WarningMark => "!", "!";

    // ---- key bar ----
    /// Key F1.
    KeyHelp => "F1 hulp", "F1 help";
    /// Key F2 on the start screen.
    KeyLanguage => "F2 English", "F2 Nederlands";
    /// Enter to unlock.
    KeyUnlock => "Enter ontgrendel", "Enter unlock";
    /// Enter to choose.
    KeyChoose => "Enter kies", "Enter choose";
    /// Arrows to move.
    KeyMove => "Op/Neer kies", "Up/Down select";
    /// F5 to rescan media.
    KeyRescan => "F5 opnieuw zoeken", "F5 rescan";
    /// Esc to go back.
    KeyBack => "Esc terug", "Esc back";
    /// Enter for the next field.
    KeyNextField => "Enter volgende", "Enter next";
    /// Shift+Tab for the previous field.
    KeyPrevField => "Shift+Tab vorige", "Shift+Tab previous";
    /// F10 to finish an entry.
    KeyFinish => "F10 klaar", "F10 done";
    /// Esc to leave an entry halfway.
    KeyLeave => "Esc pauze", "Esc pause";
    /// PgUp/PgDn between blocks.
    KeyBlocks => "PgUp/Dn blok", "PgUp/Dn block";
    /// Enter to save an entry.
    KeySave => "Enter opslaan", "Enter save";
    /// Enter to start or resume an entry.
    KeyEnter => "Enter invoer", "Enter type";
    /// C for the coordinator.
    KeyCoordinator => "C coordinator", "C coordinator";
    /// T for the total.
    KeyTotal => "T totaal", "T total";
    /// Keep first.
    KeyKeepFirst => "1 eerste bewaren", "1 keep first";
    /// Keep second.
    KeyKeepSecond => "2 tweede bewaren", "2 keep second";
    /// Discard both.
    KeyDiscardBoth => "0 beide weggooien", "0 discard both";
    /// Send back.
    KeySendBack => "R terug naar invoerder", "R send back to typist";
    /// Discard entry.
    KeyDiscard => "D invoer weggooien", "D discard entry";
    /// Acknowledge warnings.
    KeyAcknowledge => "A waarschuwingen akkoord", "A acknowledge warnings";
    /// Export.
    KeyExport => "E exporteren", "E export";
    /// After the export: the same signed result onto another stick.
    KeyAnotherStick => "E nog een stick", "E another stick";
    /// Scroll the figures.
    KeyScroll => "Op/Neer cijfers", "Up/Down figures";
    /// Scroll the findings (finish screen).
    KeyScrollFindings => "Op/Neer meldingen", "Up/Down findings";
    /// Toggle the large hash code.
    KeyBigHash => "H hashcode groot/klein", "H hash code large/small";
    /// Close help.
    KeyCloseHelp => "F1/Esc sluit hulp", "F1/Esc close help";
    /// Enter to check hash code groups.
    KeyCheck => "Enter controleer", "Enter check";
    /// Ctrl+Q to quit.
    KeyQuit => "Ctrl+Q stop", "Ctrl+Q quit";

    // ---- start ----
    /// Start screen title.
    StartTitle => "Start", "Start";
    /// Trusted root.
    TrustedRoot => "Vertrouwde sleutel Kiesraad", "Trusted Electoral Council key";
    /// Body certificate.
    BodyCertificate => "Certificaat van dit stembureau", "Certificate of this body";
    /// Counts for.
    CountsFor => "Telt voor", "Counts for";
    /// Running system.
    SystemIdentity => "Draaiend systeem", "Running system";
    /// Compare with paper.
    CompareWithPaper => "Vergelijk deze vingerafdrukken met het papier dat bij de stick hoort.", "Compare these fingerprints with the paper that came with the stick.";
    /// Passphrase prompt.
    PassphrasePrompt => "Wachtwoordzin van het stembureau", "Passphrase of the body";
    /// Unlock refused.
    UnlockRefused => "Ontgrendelen geweigerd: {0}", "Unlock refused: {0}";
    /// The passphrase does not decrypt the body key.
    WrongPassphrase => "de wachtwoordzin is onjuist", "the passphrase is wrong";
    /// The body key file cannot be read.
    KeyUnreadable => "de sleutel is niet leesbaar: {0}", "the key cannot be read: {0}";
    /// The decrypted key does not belong to the certificate.
    KeyNotOfCertificate => "de sleutel hoort niet bij het certificaat", "the key does not belong to the certificate";

    // ---- media / definition ----
    /// Media screen title.
    MediaTitle => "Verkiezingsdefinitie inlezen", "Load the election definition";
    /// Ask for the definition medium.
    InsertDefinition => "Plaats de ondertekende stick met de verkiezingsdefinitie en kies hem.", "Insert the signed stick with the election definition and choose it.";
    /// No media found.
    NoMedia => "Geen stick gevonden.", "No stick found.";
    /// Verification refused.
    MediumRefused => "Stick geweigerd: {0}", "Medium refused: {0}";
    /// Definition screen title.
    DefinitionTitle => "Verkiezingsdefinitie controleren", "Check the election definition";
    /// Signed by.
    SignedBy => "Ondertekend door", "Signed by";
    /// Election.
    Election => "Verkiezing", "Election";
    /// Date.
    Date => "Datum", "Date";
    /// Whose lists are on the ballot: the kieskring, or the municipality.
    ContestLabel => "Kandidatenlijsten van", "Candidate lists of";
    /// Number of lists.
    Lists => "Lijsten", "Lists";
    /// Number of candidates.
    Candidates => "Kandidaten", "Candidates";
    /// Number of polling stations.
    PollingStations => "Stembureaus", "Polling stations";
    /// Seats.
    Seats => "Zetels", "Seats";
    /// Hash code prompt.
    HashCodePrompt => "Typ van het papier groep {0} van de hashcode van {1}:", "Type from the paper group {0} of the hash code of {1}:";
    /// Demo: what the paper says.
    DemoPaper => "DEMO - op het papier staan deze hashcodes (groepen 1 t/m 16):", "DEMO - the paper shows these hash codes (groups 1 to 16):";
    /// Hash mismatch.
    HashMismatch => "De hashcode klopt niet met het papier (groep {0} van {1}). Controleer het papier en de stick.", "The hash code does not match the paper (group {0} of {1}). Check the paper and the stick.";
    /// Definition loaded.
    DefinitionLoaded => "Verkiezingsdefinitie ingelezen.", "Election definition loaded.";

    // ---- overview ----
    /// Overview title.
    OverviewTitle => "Overzicht stembureaus", "Polling stations";
    /// Column number.
    ColNumber => "Nr", "No";
    /// Column name.
    ColName => "Stembureau", "Polling station";
    /// Column state.
    ColState => "Status", "State";
    /// Column progress.
    ColProgress => "Voortgang", "Progress";
    /// Column needs coordinator.
    ColAction => "Actie", "Action";
    /// State empty.
    StEmpty => "leeg", "empty";
    /// State first entry in progress.
    StFirst => "1e invoer", "1st entry";
    /// State waiting for the second entry.
    StWaitingSecond => "wacht op 2e", "awaiting 2nd";
    /// State second entry in progress.
    StSecond => "2e invoer", "2nd entry";
    /// State differences.
    StDifferences => "verschillen", "differences";
    /// State errors.
    StErrors => "fouten", "errors";
    /// State warnings to acknowledge.
    StWarnings => "waarschuwingen", "warnings";
    /// State definitive.
    StDefinitive => "definitief", "definitive";
    /// Needs coordinator.
    NeedsCoordinator => "coordinator", "coordinator";
    /// The journal's last record and chain hash.
    JournalHead => "Journaal: {0} regels, laatste ketenhash {1}", "Journal: {0} records, last chain hash {1}";
    /// Progress line.
    ProgressLine => "{0} van {1} stembureaus definitief", "{0} of {1} polling stations definitive";

    // ---- typist ----
    /// Typist screen title.
    TypistTitle => "Invoerder", "Typist";
    /// Typist prompt.
    TypistPrompt => "Uw naam (invoerder) voor stembureau {0}:", "Your name (typist) for polling station {0}:";
    /// Name empty.
    NameEmpty => "Vul uw naam in.", "Fill in your name.";
    /// Second entry same typist.
    SecondSameTypist => "De tweede invoer moet door een andere invoerder dan {0}.", "The second entry must be by another typist than {0}.";
    /// Entry busy by another typist.
    EntryBusy => "Deze invoer is bezig door {0}; alleen {0} kan verder gaan.", "This entry is in progress by {0}; only {0} can resume it.";
    /// Station not open for entry.
    NotOpenForEntry => "Dit stembureau kan nu niet ingevoerd worden: {0}.", "This polling station cannot be entered now: {0}.";

    // ---- entry ----
    /// Entry title.
    EntryTitle => "Invoer stembureau {0} ({1}e invoer, {2})", "Entry polling station {0} (entry {1}, {2})";
    /// Voters block.
    BlockVoters => "Toegelaten kiezers", "Admitted voters";
    /// Votes block.
    BlockVotes => "Uitgebrachte stemmen", "Votes cast";
    /// Differences block.
    BlockDifferences => "Verschillen tussen kiezers en stemmen", "Differences between voters and votes";
    /// List block.
    BlockList => "Lijst {0} - {1}", "List {0} - {1}";
    /// A.
    FieldA => "Geldige stempassen", "Valid poll cards";
    /// B.
    FieldB => "Geldige volmachtbewijzen", "Valid proxy certificates";
    /// C.
    FieldC => "Geldige kiezerspassen", "Valid voter cards";
    /// D.
    FieldD => "Totaal toegelaten kiezers", "Total admitted voters";
    /// E.x.
    FieldListVotes => "Totaal lijst {0}", "Total list {0}";
    /// E.
    FieldE => "Stemmen op kandidaten", "Votes on candidates";
    /// F.
    FieldF => "Blanco stemmen", "Blank votes";
    /// G.
    FieldG => "Ongeldige stemmen", "Invalid votes";
    /// H.
    FieldH => "Totaal uitgebrachte stemmen", "Total votes cast";
    /// I.
    FieldI => "Meer getelde stembiljetten", "More ballots counted";
    /// J.
    FieldJ => "Minder getelde stembiljetten", "Fewer ballots counted";
    /// Tick box D = H.
    FieldDhEqual => "D en H zijn gelijk", "D and H are equal";
    /// Tick box H > D.
    FieldDhGreater => "H is groter dan D", "H is greater than D";
    /// Tick box H < D.
    FieldDhSmaller => "H is kleiner dan D", "H is smaller than D";
    /// Tick box explained yes.
    FieldExplainedYes => "Verschil volledig verklaard: ja", "Difference fully explained: yes";
    /// Tick box explained no.
    FieldExplainedNo => "Verschil volledig verklaard: nee", "Difference fully explained: no";
    /// K.
    FieldK => "Meegenomen stembiljetten", "Ballots taken away";
    /// L.
    FieldL => "Te weinig uitgereikte stembiljetten", "Too few ballots handed out";
    /// M.
    FieldM => "Te veel uitgereikte stembiljetten", "Too many ballots handed out";
    /// N.
    FieldN => "Andere verklaring", "Other explanation";
    /// O.
    FieldO => "Geen verklaring", "No explanation";
    /// Ticked.
    Ticked => "[x]", "[x]";
    /// Not ticked.
    NotTicked => "[ ]", "[ ]";
    /// Tick hint.
    TickHint => "x of spatie kruist aan, 0 of n maakt leeg", "x or space ticks, 0 or n clears";
    /// Which findings the finish screen shows.
    FindingsShown => "({0}-{1} van {2}, Op/Neer)", "({0}-{1} of {2}, Up/Down)";
    /// Findings that do not fit under the entry.
    MoreFindings => "... en nog {0} (F10 toont alle)", "... and {0} more (F10 shows all)";
    /// The prompt after `k`: which candidate of the list on screen.
    JumpPrompt => "Naar kandidaat nummer (Enter; Esc terug): {0}_", "To candidate number (Enter; Esc back): {0}_";
    /// A candidate number that is not on the list on screen.
    NoSuchCandidate => "Kandidaat {0} staat niet op lijst {1}.", "Candidate {0} is not on list {1}.";
    /// List total on the list page.
    FieldListTotal => "Totaal lijst (zoals op papier)", "List total (as on paper)";
    /// Finish title.
    FinishTitle => "Invoer afronden", "Finish entry";
    /// No findings.
    NoFindings => "Geen fouten of waarschuwingen.", "No errors or warnings.";
    /// Warnings seen.
    WarningsSeen => "Opslaan met waarschuwingen (!) mag: de coordinator controleert ze met het papier.", "Saving with warnings (!) is allowed: the coordinator checks them against the paper.";
    /// Saved with errors is allowed.
    SaveWithErrors => "Opslaan met fouten mag: de coordinator beslist.", "Saving with errors is allowed: the coordinator decides.";
    /// Entry saved.
    EntrySaved => "Invoer opgeslagen.", "Entry saved.";
    /// Entry paused.
    EntryPaused => "Invoer onderbroken; later verder te gaan.", "Entry paused; it can be resumed later.";

    // ---- coordinator ----
    /// Coordinator title.
    CoordinatorTitle => "Coordinator: stembureau {0}", "Coordinator: polling station {0}";
    /// Nothing to do.
    NothingToDo => "Voor dit stembureau is niets te beslissen.", "Nothing to decide for this polling station.";
    /// Differences heading.
    DifferencesHeading => "De twee invoeren verschillen. Pak het papier erbij.", "The two entries differ. Take the paper report.";
    /// Column field.
    ColField => "Veld", "Field";
    /// Column first.
    ColFirst => "1e ({0})", "1st ({0})";
    /// Column second.
    ColSecond => "2e ({0})", "2nd ({0})";
    /// Errors heading.
    ErrorsHeading => "De invoer van {0} heeft fouten:", "The entry by {0} has errors:";
    /// Kept first.
    KeptOne => "Invoer bewaard als definitieve uitslag.", "Entry kept as the definitive result.";
    /// Keep second refused.
    KeepHasErrors => "Deze invoer heeft fouten en kan niet als uitslag bewaard worden.", "This entry has errors and cannot be kept as the result.";
    /// Discarded both.
    DiscardedBoth => "Beide invoeren weggegooid; het stembureau begint opnieuw.", "Both entries discarded; the polling station starts again.";
    /// Sent back.
    SentBack => "Invoer teruggestuurd naar de invoerder.", "Entry sent back to the typist.";
    /// Discarded.
    Discarded => "Invoer weggegooid.", "Entry discarded.";
    /// Warnings heading.
    WarningsHeading => "De uitslag van {0} en {1} heeft waarschuwingen. Controleer ze met het papier:", "The result by {0} and {1} has warnings. Check them against the paper:";
    /// The fields of a warning.
    WarningFields => "velden:", "fields:";
    /// What acknowledging does.
    WarningsExplain => "A: de waarschuwingen kloppen met het papier; de uitslag wordt definitief. 0: beide invoeren weggooien.", "A: the warnings match the paper; the result becomes definitive. 0: discard both entries.";
    /// Warnings acknowledged.
    WarningsAcknowledged => "Waarschuwingen geaccepteerd door de coordinator; uitslag definitief.", "Warnings acknowledged by the coordinator; result definitive.";
    /// Who acknowledged, when.
    AcknowledgedBy => "Waarschuwingen geaccepteerd door {0} om {1}.", "Warnings acknowledged by {0} at {1}.";

    // ---- total ----
    /// Total title.
    TotalTitle => "Gemeentelijk totaal", "Municipal total";
    /// Not all definitive.
    NotAllDefinitive => "Nog niet alle stembureaus zijn definitief.", "Not every polling station is definitive yet.";
    /// Export written.
    ExportWritten => "Ondertekende uitslag geschreven naar {0}", "Signed result written to {0}";
    /// Export failed.
    ExportFailed => "Exporteren mislukt: {0}", "Export failed: {0}";
    /// Hash code of 510b.
    HashCode510 => "Hashcode van het 510b-bestand (zet deze op het proces-verbaal):", "Hash code of the 510b file (put it on the report):";
    /// The comparison figures' heading.
    CompareFigures => "Vergelijk voor het tekenen deze cijfers met het geprinte proces-verbaal:", "Before signing, compare these figures with the printed report:";
    /// Before the export: the figures the report will carry.
    FiguresForReport => "Deze cijfers komen op het proces-verbaal (Na 31-2):", "These figures go on the report (Na 31-2):";
    /// Which figures are shown.
    FiguresShown => "({0}-{1} van {2}, Op/Neer)", "({0}-{1} of {2}, Up/Down)";
    /// A list's figure (E.x) in English.
    FigureList => "Lijst {0} {1}", "List {0} {1}";
    /// Ready to export.
    ReadyToExport => "Alle stembureaus zijn definitief. E schrijft de ondertekende uitslag met het proces-verbaal (PDF) op de stick; print dat en vergelijk het met deze cijfers.", "Every polling station is definitive. E writes the signed result with its report (PDF) to the stick; print the report and compare it with these figures.";

    // ---- help ----
    /// Help title.
    HelpTitle => "Hulp", "Help";
    /// Help start.
    HelpStart => "Vergelijk de vingerafdrukken met het papier. Typ de wachtwoordzin en druk Enter.", "Compare the fingerprints with the paper. Type the passphrase and press Enter.";
    /// Help media.
    HelpMedia => "Kies met de pijltjes de stick met de verkiezingsdefinitie en druk Enter. Alleen een door de Kiesraad ondertekende stick wordt aanvaard.", "Choose the stick with the election definition with the arrows and press Enter. Only a stick signed by the Electoral Council is accepted.";
    /// Help definition.
    HelpDefinition => "Controleer de gegevens van de verkiezing. Typ de gevraagde groepen van vier tekens van de hashcodes zoals ze op het papier staan.", "Check the election's details. Type the asked groups of four characters of the hash codes as printed on the paper.";
    /// Help overview.
    HelpOverview => "Kies een stembureau en druk Enter om in te voeren. Een tweede invoer doet een andere invoerder. C opent het coordinatorscherm, T het totaal.", "Choose a polling station and press Enter to type its report. Another typist does the second entry. C opens the coordinator screen, T the total.";
    /// Help entry.
    HelpEntry => "Typ elk getal zoals op het papier, ook de totalen; een leeg veld telt als 0. Enter, Tab of pijl omlaag: volgend veld. Shift+Tab of pijl omhoog: vorig veld. PgDn: naar het totaal van de lijst, daarna het volgende blok; PgUp: begin van het blok. T: naar het totaal van de lijst. K of /: naar een kandidaatnummer van de lijst. Vakjes: x, j of spatie kruist aan, 0, n of spatie maakt leeg. Fouten (X) en waarschuwingen (!) staan naast het veld. F10: klaar, naar controle en opslaan. Esc: onderbreken, later verder.", "Type every number as printed, totals too; an empty field counts as 0. Enter, Tab or Down: next field. Shift+Tab or Up: previous field. PgDn: to the list's total, then the next block; PgUp: start of the block. T: to the list's total. K or /: to a candidate number of the list. Boxes: x, y or space ticks, 0, n or space clears. Errors (X) and warnings (!) appear beside the field. F10: done, to the checks and saving. Esc: pause, resume later.";
    /// Help coordinator.
    HelpCoordinator => "Verschillen: bewaar de invoer die met het papier klopt, of gooi beide weg. Fouten: stuur terug naar de invoerder of gooi de invoer weg. Waarschuwingen: controleer ze met het papier en accepteer ze (A), of gooi beide invoeren weg (0).", "Differences: keep the entry that matches the paper, or discard both. Errors: send back to the typist or discard the entry. Warnings: check them against the paper and acknowledge them (A), or discard both entries (0).";
    /// Help total.
    HelpTotal => "Vergelijk de cijfers (A-J, per lijst E.x) met het geprinte proces-verbaal voordat u tekent; Op/Neer bladert. Als alle stembureaus definitief zijn: E schrijft de ondertekende 510b naar de stick; daarna staat de hashcode groot op het scherm (H wisselt). Zet de hashcode op het proces-verbaal. Nog een stick nodig: steek een lege stick in en druk weer E; die krijgt dezelfde ondertekende uitslag met dezelfde hashcode.", "Compare the figures (A-J, per list E.x) with the printed report before signing; Up/Down scrolls. When every polling station is definitive: E writes the signed 510b to the stick; then the hash code is shown large (H toggles). Put the hash code on the report. Another stick needed: insert an empty stick and press E again; it gets the same signed result with the same hash code.";
    /// Journal failure.
    JournalFailed => "Het journaal kan niet geschreven worden: {0}. Er wordt niets meer aangenomen.", "The journal cannot be written: {0}. Nothing more is accepted.";
    /// Field is a number.
    DigitsOnly => "Alleen cijfers.", "Digits only.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_is_never_filled_in_itself() {
        assert_eq!(fill_template("{0} and {1}", &["a", "b"]), "a and b");
        assert_eq!(fill_template("{1}, {0}", &["a", "b"]), "b, a");
        // A stick label holding a placeholder is shown as it is.
        assert_eq!(
            fill_template("stick {0}: {1}", &["x{1}y", "z"]),
            "stick x{1}y: z"
        );
        // Missing arguments and stray braces stay as written.
        assert_eq!(fill_template("{0} {2} {x} {", &["a"]), "a {2} {x} {");
        assert_eq!(fill_template("geen", &[]), "geen");
        assert_eq!(fill_template("é{0}ü", &["ß"]), "éßü");
    }

    fn placeholders(s: &str) -> Vec<String> {
        let mut out: Vec<String> = (0..10)
            .map(|i| format!("{{{i}}}"))
            .filter(|p| s.contains(p.as_str()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        assert!(Msg::ALL.len() > 100);
        for &m in Msg::ALL {
            assert!(!m.nl().trim().is_empty(), "{m:?} has no Dutch text");
            assert!(!m.en().trim().is_empty(), "{m:?} has no English text");
            assert_eq!(placeholders(m.nl()), placeholders(m.en()), "{m:?}");
        }
    }

    #[test]
    fn dutch_is_the_default_and_fill_replaces_every_placeholder() {
        assert_eq!(Lang::default(), Lang::Nl);
        assert_eq!(
            Msg::EntryBusy.fill(Lang::Nl, &["Piet"]),
            "Deze invoer is bezig door Piet; alleen Piet kan verder gaan."
        );
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
    }

    #[test]
    fn texts_are_ascii_safe_for_the_linux_console() {
        for &m in Msg::ALL {
            for t in [m.nl(), m.en()] {
                assert!(t.is_ascii(), "{m:?}: {t}");
            }
        }
    }
}
