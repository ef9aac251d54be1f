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

/// Builds the message catalogue: the `Msg` enum (each key documented by its two texts, and
/// by its doc lines where they say more: the parameters, where it is shown), its `ALL` keys,
/// and its `nl`, `en`, `text` and `fill`. One catalogue for every level.
macro_rules! catalogue {
    (#[doc = $enum_doc:literal] $( $(#[$doc:meta])* $key:ident => $nl:literal, $en:literal; )*) => {
        #[doc = $enum_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $(
                #[doc = concat!("`", $nl, "` / `", $en, "`")]
                #[doc = ""]
                $(#[$doc])*
                $key,
            )*
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

            /// The text in `lang` saying which rows show: `first + 1` to `last` of `total`
            /// (`first` counted from 0, `last` not).
            pub fn rows_shown(
                self,
                lang: $crate::text::Lang,
                first: usize,
                last: usize,
                total: usize,
            ) -> String {
                let (from, to, of) = ((first + 1).to_string(), last.to_string(), total.to_string());
                self.fill(lang, &[&from, &to, &of])
            }
        }
    };
}

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
    Demo => "DEMO", "DEMO";
    /// Marker before an error.
    ErrorMark => "X", "X";
    /// Marker before a warning.
    WarningMark => "!", "!";

    // ---- the next session ----
    /// The key that opens a next session, on the total screen after the export.
    KeySession => "Z nieuwe zitting", "Z next session";
    /// The key that asks an investigation of the selected station, in a next session.
    KeyInvestigate => "O onderzoek", "O investigate";
    KeyYesNo => "J ja, N nee", "J yes, N no";
    KeyChooseReason => "1 of 2 kiest de reden", "1 or 2 chooses the reason";
    /// Choosing a kind of note.
    KeyChooseNote => "1 aanwezig, 2 bezwaar, 3 opmerking", "1 present, 2 objection, 3 remark";
    KeyTypeText => "typ de tekst, Enter klaar", "type the text, Enter done";
    /// Above a corrected station's result: the previous session's numbers on the right.
    PreviousBeside => "Rechts de uitslag van de vorige zitting; * = gewijzigd.", "On the right the previous session's result; * = changed.";
    /// The export waits for investigations: {0} the stations.
    OpenInvestigations => "Nog geen uitkomst van het onderzoek van stembureau(s) {0}: leg die eerst vast (C op het overzicht).", "No outcome yet of the investigation of polling station(s) {0}: record it first (C on the overview).";
    /// A session opened: {0} its number.
    SessionOpenedNote => "Zitting {0} is geopend.", "Session {0} is open.";
    /// An investigation recorded: {0} the station.
    RequestRecorded => "Het onderzoek van stembureau {0} is vastgelegd.", "The investigation of polling station {0} is recorded.";
    /// An outcome recorded: {0} the station.
    ConclusionRecorded => "De uitkomst van het onderzoek van stembureau {0} is vastgelegd.", "The outcome of the investigation of polling station {0} is recorded.";
    /// The notes screen's title: {0} the session.
    NotesTitle => "Zitting {0}: aanwezigheid, bezwaren en opmerkingen", "Session {0}: attendance, objections and remarks";
    NotesNone => "(nog niets vastgelegd)", "(nothing recorded yet)";
    /// Choose a kind of note.
    NotesChoose => "Nieuwe regel: 1 aanwezig lid, 2 bezwaar, 3 opmerking. Esc gaat terug.", "New line: 1 member present, 2 objection, 3 remark. Esc goes back.";
    NoteMember => "Naam van het lid van het stembureau:", "Name of the committee member:";
    NoteFrom => "Aanwezig vanaf (UU:MM):", "Present from (HH:MM):";
    NoteUntil => "Aanwezig tot (UU:MM):", "Present until (HH:MM):";
    NoteObjection => "Het bezwaar, zoals het is ingebracht:", "The objection, as it was made:";
    NoteRemark => "De opmerking:", "The remark:";
    /// An attendance line: {0} member, {1} from, {2} until.
    NoteAttendanceLine => "aanwezig: {0}, {1}-{2}", "present: {0}, {1}-{2}";
    /// An objection line: {0} the text.
    NoteObjectionLine => "bezwaar: {0}", "objection: {0}";
    /// A remark line: {0} the text.
    NoteRemarkLine => "opmerking: {0}", "remark: {0}";
    /// The key of the notes screen on the overview.
    KeyNotes => "S zitting", "S session";
    /// The PIN prompt's act: the session's notes.
    ActNotes => "aanwezigheid, bezwaren en opmerkingen van de zitting vastleggen", "record the session's attendance, objections and remarks";
    /// A corrigendum that does not fit the first-session file imported: {0} the body (the
    /// detail says which rule).
    RefusedCorrigendum => "het corrigendum van {0} past niet bij het ingelezen bestand van de eerste zitting", "the corrigendum of {0} does not fit the imported file of the first session";
    /// The CSB's request screen title.
    CsbRequestTitle => "Verzoek tot onderzoek aan een gemeente", "Request to a municipality to investigate";
    CsbRequestMunicipality => "Gemeente (code, Enter):", "Municipality (code, Enter):";
    CsbRequestStation => "Stembureau (nummer, Enter):", "Polling station (number, Enter):";
    CsbRequestReason => "Reden: 1 onverklaard verschil, 2 andere fout", "Reason: 1 unexplained difference, 2 another error";
    CsbRequestInstruction => "Wat onderzocht moet worden (Enter legt het verzoek vast):", "What is to be investigated (Enter records the request):";
    /// A request on the overview: {0} municipality, {1} station, {2} what.
    CsbRequestLine => "Verzoek tot onderzoek: gemeente {0}, stembureau {1}: {2}", "Request to investigate: municipality {0}, polling station {1}: {2}";
    /// The keys of the request screen.
    KeysCsbRequest => "Enter verder  Esc terug", "Enter next  Esc back";
    /// The PIN prompt's act.
    ActCsbRequest => "een verzoek tot onderzoek vastleggen", "record a request to investigate";
    /// Help on the request screen.
    HelpCsbRequest => "Het centraal stembureau vraagt een gemeente een stembureau te onderzoeken: typ de code van de gemeente, het nummer van het stembureau, kies de reden (1 of 2) en typ wat onderzocht moet worden. Het verzoek komt in het journaal en in het proces-verbaal (P 22-2). V op het overzicht opent dit scherm; Esc gaat terug zonder iets vast te leggen.", "The central committee asks a municipality to investigate a polling station: type the municipality's code, the polling station's number, choose the reason (1 or 2) and type what is to be investigated. The request goes into the journal and the report (P 22-2). V on the overview opens this screen; Esc goes back without recording anything.";
    /// A request for a municipality the election does not have: {0} its code.
    CsbUnknownMunicipality => "Verzoek niet vastgelegd: gemeente {0} hoort niet bij deze verkiezing.", "Request not recorded: municipality {0} is not in this election.";
    /// The eligible voters' screen title.
    VotersTitle => "Aantal kiesgerechtigden van de gemeente", "The municipality's number of eligible voters";
    VotersExplain => "Het aantal kiesgerechtigden (de 510b vermeldt het bij het totaal). Heeft de stembureaulijst aantallen per stembureau, dan moet het hun som zijn. Typ het getal en druk Enter; Esc gaat terug.", "The number of eligible voters (the 510b carries it with the total). Where the list of polling stations has numbers per station, it must be their sum. Type the number and press Enter; Esc goes back.";
    /// The eligible voters on the total screen: {0} the number.
    VotersLine => "Kiesgerechtigden: {0} (K wijzigt)", "Eligible voters: {0} (K changes)";
    /// The eligible voters not entered, on the total screen: {0} the sum of the stations.
    VotersSum => "Kiesgerechtigden: {0}, de som van de stembureaulijst (K voert het aantal in)", "Eligible voters: {0}, the sum of the list of polling stations (K enters the number)";
    /// Eligible voters that differ from the 110b: {0} entered, {1} the sum.
    VotersMismatch => "Niet aangenomen: {0} kiesgerechtigden is niet de som van de stembureaulijst ({1}). Backspace wist, Esc gaat terug.", "Not taken: {0} eligible voters is not the sum of the list of polling stations ({1}). Backspace clears, Esc goes back.";
    /// A time that is not HH:MM: {0} what was typed.
    NotATime => "Niet aangenomen: {0} is geen tijd UU:MM (bijvoorbeeld 19:30).", "Not taken: {0} is not a time HH:MM (for example 19:30).";
    /// The key of the eligible voters on the total screen.
    KeyVoters => "K kiesgerechtigden", "K eligible voters";
    /// The PIN prompt's act.
    ActVoters => "het aantal kiesgerechtigden invoeren", "enter the number of eligible voters";
    NoteRecorded => "Vastgelegd.", "Recorded.";
    Yes => "ja", "yes";
    No => "nee", "no";
    /// The session's number above the overview: {0} the number.
    SessionLine => "Zitting {0} (volgende zitting)", "Session {0} (next session)";
    /// The title of the screen that opens a next session: {0} its number.
    SessionOpenTitle => "Zitting {0} openen (volgende zitting)", "Open session {0} (next session)";
    /// What opening a next session does.
    SessionOpenExplain => "De vorige zitting wordt gesloten; haar ondertekende uitslag en journaal blijven bewaard. In de nieuwe zitting legt u de verzoeken tot onderzoek vast (O op het overzicht), de bevindingen, en voert u gecorrigeerde stembureaus opnieuw twee keer in.", "The previous session closes; its signed result and journal stay on record. In the new session you record the requests for investigation (O on the overview), the findings, and enter corrected polling stations twice again.";
    /// Confirm opening: {0} the number.
    SessionOpenPrompt => "Typ ter bevestiging het nummer van de nieuwe zitting ({0}) en druk Enter. Esc gaat terug.", "To confirm, type the new session's number ({0}) and press Enter. Esc goes back.";
    /// The title of a request for investigation: {0} the station.
    RequestTitle => "Onderzoek van stembureau {0} vastleggen", "Record an investigation of polling station {0}";
    /// Choose the reason: {0} the station.
    SessionChooseReason => "Kies de reden van het onderzoek van stembureau {0} (1 of 2):", "Choose the reason for investigating polling station {0} (1 or 2):";
    /// EML_NL reason "onderzocht vanwege onverklaard verschil".
    ReasonUnexplained => "onverklaard verschil (toegelaten kiezers en getelde stembiljetten)", "unexplained difference (admitted voters and ballots counted)";
    /// EML_NL reason "onderzocht vanwege andere fout".
    ReasonOtherError => "andere fout", "another error";
    /// The reason chosen: {0} the reason.
    RequestReason => "Reden: {0}", "Reason: {0}";
    RequestInstruction => "Aanleiding van het onderzoek (het verzoek van het centraal stembureau, of van het GSB zelf):", "Cause of the investigation (the central committee's request, or the GSB's own):";
    /// An empty instruction or findings.
    SessionTextEmpty => "Typ eerst de tekst; leeg kan niet.", "Type the text first; it cannot be empty.";
    /// The title of a conclusion: {0} the station.
    ConcludeTitle => "Uitkomst van het onderzoek van stembureau {0}", "Outcome of the investigation of polling station {0}";
    /// The instruction shown: {0} the text.
    ConcludeInstruction => "Aanleiding: {0}", "Cause: {0}";
    ConcludeFindings => "Bevindingen (zoals op het corrigendum, Na 14-1 versie 2):", "Findings (as on the corrigendum, Na 14-1 version 2):";
    ConcludeRecounted => "Herteld? (J/N)", "Recounted? (J/N)";
    ConcludeCorrected => "Is de uitslag gewijzigd? (J/N)", "Has the result changed? (J/N)";
    /// What a correction does: {0} the station.
    ConcludeReopens => "Stembureau {0} wordt dan opnieuw twee keer ingevoerd; de uitslag tot nu toe blijft ernaast staan.", "Polling station {0} is then entered twice again; its result so far stays beside it.";
    /// Investigation asked of a station that is not definitive, or asked already, or in the first session.
    NotInvestigable => "Een onderzoek kan alleen in een volgende zitting, van een definitief stembureau, een keer per zitting.", "An investigation is only possible in a next session, of a definitive polling station, once per session.";
    /// The overview's mark of a station under investigation.
    Investigating => "onderzoek", "investigating";
    /// The overview's mark of a station investigated.
    Investigated => "onderzocht", "investigated";
    /// The PIN prompt's act: opening a session.
    ActSessionOpen => "een volgende zitting openen", "open a next session";
    /// The PIN prompt's act: {0} the station.
    ActRequest => "een onderzoek van stembureau {0} vastleggen", "record an investigation of polling station {0}";
    /// The PIN prompt's act: {0} the station.
    ActConclude => "de uitkomst van het onderzoek van stembureau {0} vastleggen", "record the outcome of the investigation of polling station {0}";
    /// The screen title of the session screens.
    SessionTitle => "Volgende zitting", "Next session";
    /// Help on the session screens.
    HelpSession => "Een volgende zitting: na de export opent een coordinator die met Z op het totaalscherm. Op het overzicht legt O een verzoek tot onderzoek van een definitief stembureau vast (reden 1 of 2, dan de aanleiding); C legt daarna de uitkomst vast (bevindingen, herteld J/N, uitslag gewijzigd J/N, het nummer ter bevestiging). Een gewijzigde uitslag wordt opnieuw twee keer ingevoerd. Esc gaat terug zonder iets vast te leggen.", "A next session: after the export a coordinator opens it with Z on the total screen. On the overview O records a request to investigate a definitive polling station (reason 1 or 2, then the cause); C then records the outcome (findings, recounted J/N, result changed J/N, the number to confirm). A changed result is entered twice again. Esc goes back without recording anything.";

    // ---- key bar ----
    KeyHelp => "F1 hulp", "F1 help";
    /// Key F2 on the start screen.
    KeyLanguage => "F2 English", "F2 Nederlands";
    KeyUnlock => "Enter ontgrendel", "Enter unlock";
    KeyChoose => "Enter kies", "Enter choose";
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
    KeyBlocks => "PgUp/Dn blok", "PgUp/Dn block";
    /// Enter to save an entry.
    KeySave => "Enter opslaan", "Enter save";
    /// Enter to start or resume an entry.
    KeyEnter => "Enter invoer", "Enter type";
    /// C for the coordinator.
    KeyCoordinator => "C coordinator", "C coordinator";
    /// T for the total.
    KeyTotal => "T totaal", "T total";
    KeyDiscardBoth => "0 beide weggooien", "0 discard both";
    KeySendBack => "R terug naar invoerder", "R send back to typist";
    KeyDiscard => "D invoer weggooien", "D discard entry";
    KeyAcknowledge => "A waarschuwingen akkoord", "A acknowledge warnings";
    /// Entries different: keep the first or the second (the screen says which is which).
    KeyKeepEither => "1/2 bewaren", "1/2 keep";
    /// Entries different: return the differing fields to the first or the second typist.
    KeyReturnEither => "3/4 velden terug", "3/4 return fields";
    /// Scroll a definitive result.
    KeyScrollResult => "Op/Neer/PgUp/PgDn bladeren", "Up/Down/PgUp/PgDn scroll";
    KeyExport => "E exporteren", "E export";
    /// After the export: the same signed result onto another stick.
    KeyAnotherStick => "E nog een stick", "E another stick";
    KeyScroll => "Op/Neer cijfers", "Up/Down figures";
    /// Scroll the findings (finish screen).
    KeyScrollFindings => "Op/Neer meldingen", "Up/Down findings";
    /// Toggle the large hash code.
    KeyBigHash => "H hashcode groot/klein", "H hash code large/small";
    KeyCloseHelp => "F1/Esc sluit hulp", "F1/Esc close help";
    /// Enter to check hash code groups.
    KeyCheck => "Enter controleer", "Enter check";
    KeyQuit => "Ctrl+Q stop", "Ctrl+Q quit";

    // ---- start ----
    StartTitle => "Start", "Start";
    TrustedRoot => "Vertrouwde sleutel Kiesraad", "Trusted Electoral Council key";
    BodyCertificate => "Certificaat van dit stembureau", "Certificate of this body";
    CountsFor => "Telt voor", "Counts for";
    /// The PC's clock is before a medium's signing time.
    ClockBehind => "Geweigerd: de klok van deze pc ({1}) staat voor het moment waarop dit medium is ondertekend ({0}); zet de klok goed en start opnieuw", "Refused: this PC's clock ({1}) is before the moment this medium was signed ({0}); set the clock right and start again";
    /// The clock on the start screen.
    ClockNow => "Datum en tijd van deze pc: {0} (Nederlandse tijd)", "This PC's date and time: {0} (Dutch time)";
    /// The certificate's period of validity.
    CertificateValid => "Certificaat geldig van {0} t/m {1} (UTC)", "Certificate valid from {0} to {1} (UTC)";
    /// The certificate is not valid now: the unlock will be refused.
    CertificateNotValidNow => "Dit certificaat is nu niet geldig; ontgrendelen wordt geweigerd ({0}).", "This certificate is not valid now; unlocking is refused ({0}).";
    SystemIdentity => "Draaiend systeem", "Running system";
    /// The running system's version and source commit.
    SystemVersion => "Versie {0}, broncode {1}", "Version {0}, source {1}";
    CompareWithPaper => "Vergelijk deze vingerafdrukken met het papier dat bij de stick hoort.", "Compare these fingerprints with the paper that came with the stick.";
    PassphrasePrompt => "Wachtwoordzin van het stembureau", "Passphrase of the body";
    /// The passphrase does not decrypt the body key.
    WrongPassphrase => "Ontgrendelen geweigerd: de wachtwoordzin is onjuist", "Unlock refused: the passphrase is wrong";
    /// The body key file cannot be read.
    KeyUnreadable => "Ontgrendelen geweigerd: de sleutel is niet leesbaar: {0}", "Unlock refused: the key cannot be read: {0}";
    /// The decrypted key does not belong to the certificate.
    KeyNotOfCertificate => "Ontgrendelen geweigerd: de sleutel hoort niet bij het certificaat", "Unlock refused: the key does not belong to the certificate";
    /// The journal does not verify with the body's key (changed, another body's, old format).
    JournalRefused => "Ontgrendelen geweigerd: het journaal wordt niet gebruikt: {0}", "Unlock refused: the journal is not used: {0}";
    /// Too many wrong passphrases: wait before the next try.
    UnlockThrottled => "Ontgrendelen geweigerd: te vaak een onjuiste wachtwoordzin; probeer het over {0} seconden opnieuw", "Unlock refused: too many wrong passphrases; try again in {0} seconds";
    /// The body's certificate is not valid now.
    CertificateNotValid => "Ontgrendelen geweigerd: het certificaat van dit stembureau is nu niet geldig: {0}", "Unlock refused: this body's certificate is not valid now: {0}";

    // ---- media / definition ----
    MediaTitle => "Verkiezingsdefinitie inlezen", "Load the election definition";
    /// Ask for the definition medium.
    InsertDefinition => "Plaats de ondertekende stick met de verkiezingsdefinitie en kies hem.", "Insert the signed stick with the election definition and choose it.";
    NoMedia => "Geen stick gevonden.", "No stick found.";
    MediumRefused => "Stick geweigerd: {0}", "Medium refused: {0}";
    DefinitionTitle => "Verkiezingsdefinitie controleren", "Check the election definition";
    SignedBy => "Ondertekend door", "Signed by";
    Election => "Verkiezing", "Election";
    Date => "Datum", "Date";
    /// Whose lists are on the ballot: the kieskring, or the municipality.
    ContestLabel => "Kandidatenlijsten van", "Candidate lists of";
    Lists => "Lijsten", "Lists";
    Candidates => "Kandidaten", "Candidates";
    /// Number of polling stations.
    PollingStations => "Stembureaus", "Polling stations";
    Seats => "Zetels", "Seats";
    /// A stick and why it cannot be used.
    StickWhy => "{0}: {1}", "{0}: {1}";
    /// A refusal about one file of several: {0} the file (110a, 230b), {1} the refusal.
    OfFile => "{0}: {1}", "{0}: {1}";
    /// The stick chosen is gone.
    StickGone => "De stick is er niet meer; steek hem opnieuw in.", "The stick is gone; insert it again.";
    /// A USB stick without a folder holding a signed medium.
    StickEmpty => "geen map met een ondertekend medium (leeg?)", "no folder with a signed medium (empty?)";
    /// A folder on a stick, in the media list.
    FolderOnStick => "{0} - {1}", "{0} - {1}";
    /// The stick was pulled while the export was written.
    RemovedWhileWriting => "de stick is tijdens het schrijven verwijderd. {0}", "the stick was removed while it was written. {0}";
    /// Two reasons one after the other.
    ThenAlso => "{0}; {1}", "{0}; {1}";
    /// A text in brackets, after a space.
    InBrackets => " ({0})", " ({0})";
    /// The body key is still locked.
    KeyLocked => "de sleutel is niet ontgrendeld", "the key is not unlocked";
    /// The municipal total cannot be made.
    TotalNotMade => "het gemeentelijk totaal kan niet gemaakt worden", "the municipal total cannot be made";
    /// The municipal report cannot be made.
    ReportNotMade => "het proces-verbaal (PDF) kan niet gemaakt worden", "the report (PDF) cannot be made";
    /// The export cannot be kept on this appliance.
    ExportNotKept => "de export kan niet bewaard worden", "the export cannot be kept";
    /// The kept export cannot be used.
    KeptExportUnusable => "de bewaarde export is niet bruikbaar", "the kept export cannot be used";
    /// The definition could not be kept.
    KeepFailed => "bewaren mislukt", "keeping it failed";
    /// The stick changed while it was read.
    StickChanged => "de stick veranderde tijdens het inlezen", "the stick changed while it was read";
    /// Another stick is in use by an operation.
    StickBusy => "een andere stick is in gebruik; wacht tot die klaar is", "another stick is in use; wait until it is done";
    /// A 110b without polling stations.
    NoStations110b => "de stembureaulijst (110b) bevat geen stembureaus", "the list of polling stations (110b) holds no polling station";
    /// The kieskring's lists are not on the medium.
    KieskringListsMissing => "gemeente {0} ({1}) hoort volgens de verkiezingsdefinitie (110a) bij kieskring {2} {3}, maar de kandidatenlijsten (230b) van die kieskring staan niet op de stick (wel van kieskring {4})", "according to the election definition (110a) municipality {0} ({1}) belongs to kieskring {2} {3}, but that kieskring's candidate lists (230b) are not on the stick (those of kieskring {4} are)";
    /// Which kieskring's lists are on the ballot cannot be told.
    KieskringAmbiguous => "de verkiezingsdefinitie (110a) zegt niet bij welke kieskring gemeente {0} ({1}) hoort, en de stick bevat kandidatenlijsten van meer dan een kieskring ({2}); welke op het stembiljet staan is niet te bepalen", "the election definition (110a) does not say which kieskring municipality {0} ({1}) belongs to, and the stick holds candidate lists of more than one kieskring ({2}); which are on the ballot cannot be told";
    /// The osv4-3 CSV cannot be made.
    CsvNotMade => "de CSV (osv4-3) kan niet gemaakt worden", "the CSV (osv4-3) cannot be made";
    /// The export's files cannot be made.
    ExportNotMade => "de bestanden van de export kunnen niet gemaakt worden", "the export's files cannot be made";
    /// The help: the keys of this screen.
    HelpKeys => "Toetsen op dit scherm:", "Keys on this screen:";
    /// The help's rows shown: {0} first, {1} last, {2} how many.
    HelpRowsShown => "regels {0}-{1} van {2}, Op/Neer", "rows {0}-{1} of {2}, Up/Down";
    /// The help: the keys of every screen.
    HelpAlways => "Op elk scherm: F1 hulp, F2 English/Nederlands, Ctrl+Q stop (wat vastgelegd is, blijft).", "On every screen: F1 help, F2 Nederlands/English, Ctrl+Q quit (what is recorded stays).";
    /// Key bar: the previous group field.
    KeyPrevGroup => "Shift+Tab vorige", "Shift+Tab previous";
    /// The journal's last record was incomplete and was dropped.
    JournalTornTail => "Let op: het laatste journaalrecord was onvolledig (stroomuitval tijdens het schrijven?) en is weggelaten ({0} bytes). Controleer het laatst ingevoerde veld of besluit; het staat in het auditlogboek.", "Note: the journal's last record was incomplete (a power cut while it was written?) and was left out ({0} bytes). Check the last field or decision entered; it is in the audit log.";
    /// Confirmation: keep the first entry.
    ConfirmKeepFirst => "Stembureau {0}: de eerste invoer wordt bewaard; de tweede vervalt. Het stembureau wordt definitief.", "Polling station {0}: the first entry is kept; the second is dropped. The station becomes definitive.";
    /// Confirmation: keep the second entry.
    ConfirmKeepSecond => "Stembureau {0}: de tweede invoer wordt bewaard; de eerste vervalt. Het stembureau wordt definitief.", "Polling station {0}: the second entry is kept; the first is dropped. The station becomes definitive.";
    /// Confirmation: discard both entries.
    ConfirmDiscardBoth => "Stembureau {0}: beide invoeren worden weggegooid; het stembureau wordt opnieuw ingevoerd, twee keer.", "Polling station {0}: both entries are discarded; the station is typed again, twice.";
    /// Confirmation: send the first entry back.
    ConfirmSendBack => "Stembureau {0}: de eerste invoer gaat terug naar de invoerder om te verbeteren.", "Polling station {0}: the first entry goes back to its typist to be corrected.";
    /// Confirmation: return the differing fields to one typist.
    ConfirmReturnFields => "Stembureau {0}: de {1} verschillende velden ({2}) gaan terug naar {3}, de invoerder van de {4}e invoer. Alleen die velden worden leeggemaakt en opnieuw getypt; de rest van beide invoeren blijft. Daarna worden de twee invoeren opnieuw vergeleken.", "Polling station {0}: the {1} differing fields ({2}) go back to {3}, the typist of entry {4}. Only those fields are cleared and typed again; the rest of both entries stays. Then the two entries are compared again.";
    /// Confirmation: discard the first entry.
    ConfirmDiscardFirst => "Stembureau {0}: de eerste invoer wordt weggegooid; het stembureau wordt opnieuw ingevoerd.", "Polling station {0}: the first entry is discarded; the station is typed again.";
    /// Confirmation: acknowledge the warnings.
    ConfirmAcknowledge => "Stembureau {0}: de waarschuwingen zijn met het papier gecontroleerd en worden geaccepteerd. Het stembureau wordt definitief.", "Polling station {0}: the warnings were checked against the paper and are accepted. The station becomes definitive.";
    ConfirmPrompt => "Typ ter bevestiging het nummer van het stembureau ({0}) en druk Enter. Esc gaat terug zonder besluit.", "To confirm, type the polling station's number ({0}) and press Enter. Esc goes back without a decision.";
    /// Confirmation: a wrong number.
    ConfirmWrongNumber => "Dat is niet het nummer van dit stembureau ({0}); er is niets besloten.", "That is not this polling station's number ({0}); nothing was decided.";
    /// Key bar: confirm with the number.
    KeyConfirmNumber => "nummer + Enter bevestigt", "number + Enter confirms";
    /// Confirmation: take the corrected file.
    ConfirmCorrectionAccept => "Correctie van {0}: het nieuwe bestand vervangt het ingelezen bestand.", "Correction of {0}: the new file replaces the one imported.";
    /// Confirmation: keep the current file.
    ConfirmCorrectionReject => "Correctie van {0}: het ingelezen bestand blijft; het nieuwe wordt afgewezen.", "Correction of {0}: the imported file stays; the new one is rejected.";
    /// Confirmation of a correction: how.
    ConfirmCorrectionPrompt => "Typ ter bevestiging de code van het stembureau ({0}) en druk Enter. Esc gaat terug zonder besluit.", "To confirm, type the committee's code ({0}) and press Enter. Esc goes back without a decision.";
    /// Confirmation of a correction: a wrong code.
    ConfirmWrongBody => "Dat is niet de code van dit stembureau ({0}); er is niets besloten.", "That is not this committee's code ({0}); nothing was decided.";
    /// Key bar of a confirmation.
    KeysConfirm => "F1 hulp  code + Enter bevestigt  Esc terug", "F1 help  code + Enter confirms  Esc back";
    /// Words shown as they are.
    Plain => "{0}", "{0}";
    /// A refusal's technical detail, after its text: the library's own words, in English as
    /// in the audit log (for the helpdesk); {0} the detail.
    DetailQuoted => "(technisch, zoals in het logboek: {0})", "(technical, as in the log: {0})";
    /// The body a higher terminal counts for, on the definition screen.
    Body => "Telt voor", "Counts for";
    /// How many results of the level below are expected.
    BodiesExpected => "Verwachte uitslagen", "Results expected";
    /// Above the asked groups of a file named otherwise than its kind.
    HashCodeOf => "Hashcode van de {0}: {1}", "Hash code of the {0}: {1}";
    /// Key bar: the next group field.
    KeyNextGroup => "Tab volgende groep", "Tab next group";
    /// Help on the screen after a journal failure.
    HelpFatal => "Het journaal kan niet geschreven worden; er wordt niets meer aangenomen. Wat al in het journaal staat, blijft. Stop met Ctrl+Q, los het probleem op (de stick, de schijf) en start opnieuw: het programma gaat verder waar het journaal ophoudt.", "The journal cannot be written; nothing more is accepted. What is in the journal stays. Quit with Ctrl+Q, solve the problem (the stick, the disk) and start again: the program continues where the journal ends.";
    HashCodePrompt => "Typ van het papier groep {0} van de hashcode van {1}:", "Type from the paper group {0} of the hash code of {1}:";
    /// Demo: what the paper says.
    DemoPaper => "DEMO - op het papier staan deze hashcodes (groepen 1 t/m 16):", "DEMO - the paper shows these hash codes (groups 1 to 16):";
    DefinitionLoaded => "Verkiezingsdefinitie ingelezen.", "Election definition loaded.";

    // ---- overview ----
    OverviewTitle => "Overzicht stembureaus", "Polling stations";
    ColNumber => "Nr", "No";
    ColName => "Stembureau", "Polling station";
    ColState => "Status", "State";
    ColProgress => "Voortgang", "Progress";
    ColAction => "Actie", "Action";
    StEmpty => "leeg", "empty";
    /// State first entry in progress.
    StFirst => "1e invoer", "1st entry";
    /// State waiting for the second entry.
    StWaitingSecond => "wacht op 2e", "awaiting 2nd";
    /// State second entry in progress.
    StSecond => "2e invoer", "2nd entry";
    StDifferences => "verschillen", "differences";
    /// State fields returned for correction.
    StReturned => "velden terug", "fields returned";
    StErrors => "fouten", "errors";
    /// State warnings to acknowledge.
    StWarnings => "waarschuwingen", "warnings";
    StDefinitive => "definitief", "definitive";
    NeedsCoordinator => "coordinator", "coordinator";
    /// The journal's last record and chain hash.
    JournalHead => "Journaal: {0} regels, kop (staat ook op het proces-verbaal):", "Journal: {0} records, head (also printed on the report):";
    ProgressLine => "{0} van {1} stembureaus definitief", "{0} of {1} polling stations definitive";

    // ---- typist ----
    NameEmpty => "Vul uw naam in.", "Fill in your name.";
    /// Station not open for entry.
    NotOpenForEntry => "Dit stembureau kan nu niet ingevoerd worden: {0}.", "This polling station cannot be entered now: {0}.";

    // ---- people and PINs ----
    PinTitle => "Wie bent u? (pincode)", "Who are you? (PIN)";
    /// PIN prompt: the role asked.
    PinAsk => "Kies uw naam ({0}) met pijl op/neer en typ uw pincode; Enter bevestigt.", "Choose your name ({0}) with Up/Down and type your PIN; Enter confirms.";
    /// PIN prompt: nobody may.
    PinNobody => "Er is niemand ingeschreven die dit mag ({0}). Een coordinator schrijft mensen in met F9 op het overzicht.", "Nobody registered may do this ({0}). A coordinator registers people with F9 on the overview.";
    /// What the PIN opens: label.
    PinFor => "Voor:", "For:";
    ActPeople => "mensen van deze zitting inschrijven", "registering the people of this session";
    ActEntry => "de {1}e invoer van stembureau {0}", "entry {1} of polling station {0}";
    /// Act: a station's decisions.
    ActCoordinate => "de beslissingen over stembureau {0}", "the decisions on polling station {0}";
    ActExport => "de ondertekende uitslag schrijven naar de stick", "writing the signed result to the stick";
    /// Act: a drawing of lots.
    ActLot => "de uitkomst van de loting vastleggen", "recording the outcome of the drawing of lots";
    ActCorrection => "de correctie van {0} {1}", "the correction of {0}: {1}";
    /// Act: a deceased candidate.
    ActDeceased => "een kandidaat als overleden aanmerken", "marking a candidate as deceased";
    /// Act: undo a deceased mark.
    ActDeceasedUndo => "een aanmerking als overleden ongedaan maken", "undoing a mark as deceased";
    ActCorrectionAccept => "overnemen", "accept";
    ActCorrectionReject => "afwijzen", "reject";
    PinLabel => "Pincode:", "PIN:";
    PinWrong => "Onjuiste pincode; de poging staat in het journaal.", "Wrong PIN; the try is in the journal.";
    PinWait => "Te veel onjuiste pincodes: probeer het over {0} s opnieuw.", "Too many wrong PINs: try again in {0} s.";
    PinUnusable => "De pincode kan niet gecontroleerd worden", "The PIN cannot be checked";
    RoleTypist => "invoerder", "typist";
    RoleCoordinator => "coordinator", "coordinator";
    PeopleTitle => "Mensen van deze zitting", "People of this session";
    /// People screen: the first coordinator.
    PeopleFirst => "Schrijf eerst uzelf in als coordinator (u hebt de sleutel ontgrendeld): naam en een persoonlijke pincode, twee keer.", "First register yourself as coordinator (you unlocked the key): a name and a personal PIN, twice.";
    /// People screen: more people.
    PeopleMore => "Schrijf een invoerder of coordinator in: naam, rol (spatie wisselt) en een persoonlijke pincode, twee keer.", "Register a typist or coordinator: name, role (Space toggles) and a personal PIN, twice.";
    /// People screen: registered list heading.
    PeopleRegistered => "Ingeschreven:", "Registered:";
    FormName => "Naam:", "Name:";
    FormRole => "Rol:", "Role:";
    FormPin => "Pincode (min. 5 tekens):", "PIN (at least 5 characters):";
    /// Form label PIN again.
    FormPinAgain => "Pincode nogmaals:", "PIN again:";
    PersonRegistered => "{0} is ingeschreven.", "{0} is registered.";
    PinsDiffer => "De twee pincodes verschillen; typ ze opnieuw.", "The two PINs differ; type them again.";
    NameTooLong => "De naam is te lang (hoogstens 50 tekens).", "The name is too long (at most 50 characters).";
    NameMixedScripts => "De naam mengt letters van verschillende schriften (zoals Latijn en Cyrillisch).", "The name mixes letters of different scripts (such as Latin and Cyrillic).";
    /// Name without a letter.
    NameNoLetter => "Een naam heeft minstens een letter.", "A name has at least one letter.";
    /// Name with a character not allowed.
    NameCharacter => "De naam bevat een teken dat niet in een naam mag (onzichtbaar, een symbool of een stuurteken).", "The name contains a character not allowed in a name (invisible, a symbol or a control character).";
    NameConfusable => "De naam {0} lijkt te veel op {1}, die al ingeschreven is.", "The name {0} can be taken for {1}, already registered.";
    RoleNotHeld => "{0} heeft niet de rol die dit vraagt.", "{0} does not hold the role this needs.";
    PersonDeactivated => "Deze persoon kan niet meer handelen.", "This person can no longer act.";
    PeopleRefused => "Geweigerd", "Refused";
    PinTooShort => "Een pincode heeft minstens 5 tekens.", "A PIN has at least 5 characters.";
    PinTooLong => "Een pincode heeft hoogstens 128 tekens.", "A PIN has at most 128 characters.";
    PinCharacters => "Een pincode heeft alleen letters, cijfers, leestekens en spaties (niet aan begin of eind).", "A PIN has only letters, digits, punctuation and spaces (not at the start or end).";
    PinTooSimple => "Die pincode is te eenvoudig (een teken herhaald, oplopende cijfers of uw naam).", "That PIN is too simple (one character repeated, consecutive digits or your name).";
    ScreenLocked => "Scherm vergrendeld: de volgende handeling vraagt weer een pincode.", "Screen locked: the next act asks for a PIN again.";
    KeyPeople => "F9 mensen", "F9 people";
    KeyLock => "F12 vergrendel", "F12 lock";
    KeyChoosePerson => "pijl kies", "arrows choose";
    KeyConfirmPin => "Enter bevestig", "Enter confirm";
    KeyTabField => "Tab volgend veld", "Tab next field";
    /// Help of the PIN prompt.
    HelpPin => "Kies uw naam met pijl op/neer, typ uw persoonlijke pincode en druk Enter. Na drie onjuiste pincodes wacht elke volgende poging langer. Esc gaat terug naar het overzicht. F12 vergrendelt het scherm waar iemand bezig is; na 5 minuten zonder toets gebeurt dat vanzelf.", "Choose your name with Up/Down, type your personal PIN and press Enter. After three wrong PINs each next try waits longer. Esc returns to the overview. F12 locks a screen someone is working on; after 5 minutes without a key that happens by itself.";
    /// Help of the people screen.
    HelpPeople => "Tab of pijl op/neer gaat naar het volgende veld; spatie wisselt de rol; Enter in het laatste veld schrijft in. Een naam die lijkt op een ingeschreven naam wordt geweigerd. Een coordinator voert niet in; een invoerder beslist niet. Esc gaat terug (niet voor de eerste coordinator).", "Tab or Up/Down goes to the next field; Space toggles the role; Enter in the last field registers. A name that can be taken for a registered one is refused. A coordinator does not type; a typist does not decide. Esc goes back (not for the first coordinator).";

    // ---- entry ----
    EntryTitle => "Invoer stembureau {0} ({1}e invoer, {2})", "Entry polling station {0} (entry {1}, {2})";
    BlockVoters => "Toegelaten kiezers", "Admitted voters";
    BlockVotes => "Uitgebrachte stemmen", "Votes cast";
    BlockDifferences => "Verschillen tussen kiezers en stemmen", "Differences between voters and votes";
    BlockList => "Lijst {0} - {1}", "List {0} - {1}";
    FieldA => "Geldige stempassen", "Valid poll cards";
    FieldB => "Geldige volmachtbewijzen", "Valid proxy certificates";
    FieldC => "Geldige kiezerspassen", "Valid voter cards";
    FieldD => "Totaal toegelaten kiezers", "Total admitted voters";
    FieldListVotes => "Totaal lijst {0}", "Total list {0}";
    FieldE => "Stemmen op kandidaten", "Votes on candidates";
    FieldF => "Blanco stemmen", "Blank votes";
    FieldG => "Ongeldige stemmen", "Invalid votes";
    FieldH => "Totaal uitgebrachte stemmen", "Total votes cast";
    FieldI => "Meer getelde stembiljetten", "More ballots counted";
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
    FieldK => "Meegenomen stembiljetten", "Ballots taken away";
    FieldL => "Te weinig uitgereikte stembiljetten", "Too few ballots handed out";
    FieldM => "Te veel uitgereikte stembiljetten", "Too many ballots handed out";
    FieldN => "Andere verklaring", "Other explanation";
    FieldO => "Geen verklaring", "No explanation";
    Ticked => "[x]", "[x]";
    NotTicked => "[ ]", "[ ]";
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
    FinishTitle => "Invoer afronden", "Finish entry";
    NoFindings => "Geen fouten of waarschuwingen.", "No errors or warnings.";
    WarningsSeen => "Opslaan met waarschuwingen (!) mag: de coordinator controleert ze met het papier.", "Saving with warnings (!) is allowed: the coordinator checks them against the paper.";
    /// Saved with errors is allowed.
    SaveWithErrors => "Opslaan met fouten mag: de coordinator beslist.", "Saving with errors is allowed: the coordinator decides.";
    EntrySaved => "Invoer opgeslagen.", "Entry saved.";
    EntryPaused => "Invoer onderbroken; later verder te gaan.", "Entry paused; it can be resumed later.";

    // ---- coordinator ----
    CoordinatorTitle => "Coordinator: stembureau {0}", "Coordinator: polling station {0}";
    NothingToDo => "Voor dit stembureau is niets te beslissen.", "Nothing to decide for this polling station.";
    DifferencesHeading => "De twee invoeren verschillen. Pak het papier erbij.", "The two entries differ. Take the paper report.";
    /// What the keys do when the entries differ.
    DifferencesOptions => "1: de 1e invoer ({0}) bewaren. 2: de 2e invoer ({1}) bewaren. 3: alleen deze velden terug naar {0}, 4: naar {1}; die typt ze opnieuw, daarna wordt opnieuw vergeleken. 0: beide weggooien.", "1: keep entry 1 ({0}). 2: keep entry 2 ({1}). 3: return only these fields to {0}, 4: to {1}, who types them again; then they are compared again. 0: discard both.";
    ColField => "Veld", "Field";
    ColFirst => "1e ({0})", "1st ({0})";
    ColSecond => "2e ({0})", "2nd ({0})";
    ErrorsHeading => "De invoer van {0} heeft fouten:", "The entry by {0} has errors:";
    KeptOne => "Invoer bewaard als definitieve uitslag.", "Entry kept as the definitive result.";
    KeepHasErrors => "Deze invoer heeft fouten en kan niet als uitslag bewaard worden.", "This entry has errors and cannot be kept as the result.";
    DiscardedBoth => "Beide invoeren weggegooid; het stembureau begint opnieuw.", "Both entries discarded; the polling station starts again.";
    SentBack => "Invoer teruggestuurd naar de invoerder.", "Entry sent back to the typist.";
    FieldsReturnedNote => "Verschillende velden teruggestuurd; de invoerder typt alleen die opnieuw.", "Differing fields returned; the typist retypes only those.";
    /// Coordinator screen while fields are returned.
    ReturnedHeading => "De velden {0} zijn teruggestuurd naar {1} ({2}e invoer), die ze opnieuw typt; daarna worden de invoeren opnieuw vergeleken. 0: beide invoeren weggooien.", "The fields {0} were returned to {1} (entry {2}), who types them again; then the entries are compared again. 0: discard both entries.";
    /// Entry title row while fields are returned.
    RetypeMarked => "* = opnieuw typen, de rest blijft", "* = retype, the rest stays";
    /// A jump key while fields are returned.
    OnlyReturnedFields => "Alleen de teruggestuurde velden (*) worden opnieuw getypt; Enter/Tab gaat naar het volgende.", "Only the returned fields (*) are typed again; Enter/Tab goes to the next.";
    DefinitiveHeading => "Definitief (alleen lezen). Uitslag getypt door {0}; andere invoerder: {1}.", "Definitive (read only). Result typed by {0}; other typist: {1}.";
    /// Position in a definitive result.
    ResultShown => "velden {0}-{1} van {2}", "fields {0}-{1} of {2}";
    Discarded => "Invoer weggegooid.", "Entry discarded.";
    WarningsHeading => "De uitslag van {0} en {1} heeft waarschuwingen. Controleer ze met het papier:", "The result by {0} and {1} has warnings. Check them against the paper:";
    /// The fields of a warning.
    WarningFields => "velden:", "fields:";
    WarningsExplain => "A: de waarschuwingen kloppen met het papier; de uitslag wordt definitief. 0: beide invoeren weggooien.", "A: the warnings match the paper; the result becomes definitive. 0: discard both entries.";
    WarningsAcknowledged => "Waarschuwingen geaccepteerd door de coordinator; uitslag definitief.", "Warnings acknowledged by the coordinator; result definitive.";
    AcknowledgedBy => "Waarschuwingen geaccepteerd door {0} om {1}.", "Warnings acknowledged by {0} at {1}.";

    // ---- total ----
    TotalTitle => "Gemeentelijk totaal", "Municipal total";
    NotAllDefinitive => "Nog niet alle stembureaus zijn definitief.", "Not every polling station is definitive yet.";
    ExportWritten => "Ondertekende uitslag geschreven naar {0}", "Signed result written to {0}";
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
    ReadyToExport => "Alle stembureaus zijn definitief. E schrijft de ondertekende uitslag met het proces-verbaal (PDF) op de stick; print dat en vergelijk het met deze cijfers.", "Every polling station is definitive. E writes the signed result with its report (PDF) to the stick; print the report and compare it with these figures.";

    // ---- help ----
    HelpStart => "Vergelijk de vingerafdrukken met het papier. Typ de wachtwoordzin en druk Enter.", "Compare the fingerprints with the paper. Type the passphrase and press Enter.";
    HelpMedia => "Kies met de pijltjes de stick met de verkiezingsdefinitie en druk Enter. Alleen een door de Kiesraad ondertekende stick wordt aanvaard.", "Choose the stick with the election definition with the arrows and press Enter. Only a stick signed by the Electoral Council is accepted.";
    HelpDefinition => "Controleer de gegevens van de verkiezing. Typ de gevraagde groepen van vier tekens van de hashcodes zoals ze op het papier staan.", "Check the election's details. Type the asked groups of four characters of the hash codes as printed on the paper.";
    HelpOverview => "Kies een stembureau en druk Enter om in te voeren. Een tweede invoer doet een andere invoerder. C opent het coordinatorscherm, T het totaal, S de aanwezigheid, bezwaren en opmerkingen van de zitting. In een volgende zitting legt O een onderzoek van het gekozen stembureau vast en C daarna de uitkomst. P opent de voortgang van parallelle invoer (toewijzen aan invoerapparaten, batches inlezen; PIN van een coordinator).", "Choose a polling station and press Enter to type its report. Another typist does the second entry. C opens the coordinator screen, T the total, S the session's attendance, objections and remarks. In a next session O records an investigation of the chosen polling station and C then its outcome. P opens the progress of parallel entry (assign to entry appliances, import batches; a coordinator's PIN).";
    HelpEntry => "Typ elk getal zoals op het papier, ook de totalen; een leeg veld telt als 0. Enter, Tab of pijl omlaag: volgend veld. Shift+Tab of pijl omhoog: vorig veld. PgDn: naar het totaal van de lijst, daarna het volgende blok; PgUp: begin van het blok. T: naar het totaal van de lijst. K of /: naar een kandidaatnummer van de lijst. Vakjes: x, j of spatie kruist aan, 0, n of spatie maakt leeg. Fouten (X) en waarschuwingen (!) staan naast het veld. F10: klaar, naar controle en opslaan. Esc: onderbreken, later verder. Teruggestuurde velden (*): alleen die worden opnieuw getypt, Enter/Tab en pijlen gaan van de een naar de ander; de rest blijft zoals het was.", "Type every number as printed, totals too; an empty field counts as 0. Enter, Tab or Down: next field. Shift+Tab or Up: previous field. PgDn: to the list's total, then the next block; PgUp: start of the block. T: to the list's total. K or /: to a candidate number of the list. Boxes: x, y or space ticks, 0, n or space clears. Errors (X) and warnings (!) appear beside the field. F10: done, to the checks and saving. Esc: pause, resume later. Returned fields (*): only those are typed again, Enter/Tab and the arrows go from one to the next; the rest stays as it was.";
    HelpCoordinator => "Verschillen: bewaar de invoer die met het papier klopt (1, 2), stuur alleen de verschillende velden terug naar de 1e (3) of 2e (4) invoerder, die ze opnieuw typt waarna opnieuw vergeleken wordt, of gooi beide weg (0). Fouten: stuur terug naar de invoerder of gooi de invoer weg. Waarschuwingen: controleer ze met het papier en accepteer ze (A), of gooi beide invoeren weg (0). Definitief: de uitslag staat er alleen om te lezen; Op/Neer/PgUp/PgDn bladeren.", "Differences: keep the entry that matches the paper (1, 2), return only the differing fields to the 1st (3) or 2nd (4) typist, who types them again and the entries are compared again, or discard both (0). Errors: send back to the typist or discard the entry. Warnings: check them against the paper and acknowledge them (A), or discard both entries (0). Definitive: the result is shown read-only; Up/Down/PgUp/PgDn scroll.";
    HelpTotal => "Vergelijk de cijfers (A-J, per lijst E.x) met het geprinte proces-verbaal voordat u tekent; Op/Neer bladert. Als alle stembureaus definitief zijn: E schrijft de ondertekende 510b naar de stick; daarna staat de hashcode groot op het scherm (H wisselt). Zet de hashcode op het proces-verbaal. Nog een stick nodig: steek een lege stick in en druk weer E; die krijgt dezelfde ondertekende uitslag met dezelfde hashcode. Z opent daarna een volgende zitting (onderzoeken en correcties). K voert voor de export het aantal kiesgerechtigden van de gemeente in (anders de som van de stembureaulijst).", "Compare the figures (A-J, per list E.x) with the printed report before signing; Up/Down scrolls. When every polling station is definitive: E writes the signed 510b to the stick; then the hash code is shown large (H toggles). Put the hash code on the report. Another stick needed: insert an empty stick and press E again; it gets the same signed result with the same hash code. Z then opens a next session (investigations and corrections). K enters the municipality's number of eligible voters before the export (else the sum of the list of polling stations).";
    JournalFailed => "Het journaal kan niet geschreven worden: {0}. Er wordt niets meer aangenomen.", "The journal cannot be written: {0}. Nothing more is accepted.";
    /// Field is a number.
    DigitsOnly => "Alleen cijfers.", "Digits only.";

    // ---- the higher levels (HSB, CSB) ----

    // ---- start ----

    // ---- media ----
    /// Media screen title for an import.
    MediaImportTitle => "Kies de uitslag om in te lezen ({0})", "Choose the result to import ({0})";

    /// Demo only: what the paper would say.
    DemoPaperSays => "DEMO, het papier zou zeggen: {0}", "DEMO, the paper would say: {0}";

    // ---- definition check ----
    DefinitionAccepted => "Verkiezingsdefinitie aanvaard.", "Election definition accepted.";

    // ---- overview ----
    OverviewBodiesIn => "Overzicht: {0} van {1} binnen", "Overview: {0} of {1} in";
    StateIn => "binnen", "in";
    StateMissing => "ontbreekt", "missing";
    /// T pressed while results are missing.
    TotalNotYet => "Nog geen totaal: {0} uitslag(en) ontbreken ({1}).", "No total yet: {0} result(s) missing ({1}).";
    /// T pressed while a correction waits.
    TotalCorrectionFirst => "Nog geen totaal: eerst de wachtende correctie beslissen (K).", "No total yet: decide the waiting correction first (K).";
    StateRefused => "geweigerd", "refused";
    StateCorrection => "correctie wacht", "correction waiting";
    OverviewRefusedHeading => "Geweigerd:", "Refused:";
    OverviewComplete => "Alle uitslagen zijn binnen. Druk T voor het totaal.", "All results are in. Press T for the total.";

    // ---- import ----
    ImportTitle => "Uitslag van {0} {1}", "Result of {0} {1}";
    ImportFile => "Bestand: {0}", "File: {0}";
    ImportSigner => "Ondertekend door: {0}", "Signed by: {0}";
    /// Type groups of the file's hash code.
    ImportTypeGroups => "Typ de gevraagde groepen van de hashcode op het papieren proces-verbaal:", "Type the groups asked of the hash code on the paper report:";
    Imported => "Uitslag van {0} ingelezen.", "Result of {0} imported.";
    AlreadyImported => "Dit bestand van {0} is al ingelezen; er verandert niets.", "This file of {0} was imported before; nothing changes.";

    // ---- refusals of a file ----
    /// Refused: a generic prefix.
    FileRefused => "Geweigerd: {0}", "Refused: {0}";
    /// Signed for another election.
    RefusedOtherElection => "de stick hoort bij een andere verkiezing", "the medium belongs to another election";
    /// The signer is not the body the file speaks for.
    RefusedWrongBody => "ondertekend door {0}, maar het bestand is de uitslag van {1}", "signed by {0}, but the file is the result of {1}";
    /// No or several count files.
    RefusedFiles => "de stick moet precies een telling (EML) bevatten", "the medium must hold exactly one count (EML)";
    /// Not a readable count.
    RefusedNotCount => "het bestand is geen leesbare telling", "the file is not a readable count";
    /// EML for another election.
    RefusedEmlElection => "het bestand is van verkiezing {0}, niet van {1}", "the file is of election {0}, not {1}";
    RefusedLevel => "het bestand is een {0}; hier wordt een {1} ingelezen", "the file is a {0}; this level imports a {1}";
    RefusedUnknownBody => "{0} hoort niet bij dit stembureau", "{0} does not belong to this committee";
    RefusedContest => "het bestand van {0} noemt kieskring {1}, verwacht {2}", "the file of {0} names contest {1}, expected {2}";
    RefusedSums => "de optellingen in het bestand kloppen niet", "the sums in the file are wrong";
    /// Unknown list or candidate.
    RefusedListCandidate => "{0} staat niet op de kandidatenlijsten", "{0} is not on the candidate lists";
    RefusedCorrectionPending => "er wacht al een correctie van {0}; beslis daar eerst over", "a correction of {0} is waiting; decide on it first";
    RefusedOther => "het bestand kan niet worden gebruikt", "the file cannot be used";

    // ---- correction ----
    CorrectionTitle => "Correctie: een ander bestand van {0} {1}", "Correction: a different file of {0} {1}";
    CorrectionColumns => "veld                                   nu ingelezen      nieuw bestand", "field                                  imported now      new file";
    CorrectionCurrent => "Nu:    {0}", "Now:   {0}";
    CorrectionProposed => "Nieuw: {0}", "New:   {0}";
    /// No differences in the totals.
    CorrectionNoDifference => "(geen verschil in de totalen)", "(no difference in the totals)";
    CorrectionAccepted => "Correctie van {0} aanvaard; beide bestanden staan in het logboek.", "Correction of {0} accepted; both files are in the log.";
    CorrectionRejected => "Correctie van {0} afgewezen; het eerdere bestand blijft.", "Correction of {0} rejected; the earlier file stays.";
    CorrectionQuestion => "Alleen de coordinator beslist. 1 = nieuw bestand aanvaarden, 2 = huidig houden.", "Only the coordinator decides. 1 = accept the new file, 2 = keep the current one.";

    // ---- figures ----
    FiguresTitle => "Totaal: vergelijk met het papieren proces-verbaal", "Total: compare with the paper report";

    // ---- apportionment ----
    SeatsTitle => "Zetelverdeling (stap voor stap)", "Seat apportionment (step by step)";
    LotTitle => "Gelijke stand: loting nodig", "Tie: a drawing of lots is needed";
    LotSeat => "Restzetel: gelijk tussen lijsten {0}", "Remaining seat: tie between lists {0}";
    LotCandidate => "Lijst {0}: gelijk tussen kandidaten {1}", "List {0}: tie between candidates {1}";
    /// One of the tied and its votes.
    LotVotes => "  {0}: {1} stemmen", "  {0}: {1} votes";
    /// The program does not decide.
    LotExplain => "Het programma kiest niet. Trek in het openbaar het lot en typ de uitkomst.", "The program does not choose. Draw lots in public and type the outcome.";
    /// Prompt for a list.
    LotPromptList => "Getrokken lijst (nummer):", "List drawn (number):";
    /// Prompt for a candidate.
    LotPromptCandidate => "Getrokken kandidaat (nummer op de lijst):", "Candidate drawn (number on the list):";
    /// Prompt for a list of a list group drawn, by its kieskring.
    LotPromptKieskring => "Getrokken lijst (nummer van de kieskring):", "List drawn (number of its kieskring):";
    /// Prompt for a candidate of a list group drawn, by the number in the tie.
    LotPromptTieNumber => "Getrokken kandidaat (nummer voor de dubbele punt):", "Candidate drawn (number before the colon):";
    /// A drawing within a list group for a remaining seat.
    DrawingGroupSeat => "lijstengroep {0}, restzetel {1}, tussen de lijsten van kieskring {2} (P 12)", "list group {0}, remaining seat {1}, between the lists of kieskring {2} (P 12)";
    /// A drawing within a list group for a preference seat.
    DrawingGroupPreference => "lijstengroep {0}, voorkeurszetel {1}, tussen kandidaten {2} (P 15)", "list group {0}, preference seat {1}, between candidates {2} (P 15)";
    /// A drawing within a list group of the list that gives up a seat.
    DrawingGroupRetraction => "lijstengroep {0}: welke lijst (kieskring {2}) een zetel afstaat aan {1} (P 16)", "list group {0}: which list (kieskring {2}) gives up a seat to {1} (P 16)";
    /// The number typed is not tied.
    LotNotTied => "{0} is niet een van de gelijk geeindigden", "{0} is not one of the tied";
    /// Summary line of the apportionment.
    SeatsSummary => "{0} zetels, {1} stemmen op lijsten, kiesdeler {2}", "{0} seats, {1} votes on lists, quota {2}";
    /// Column headings of the seats table.
    SeatsColumns => "lijst                         stemmen volle          overschot rest  tot.", " list                           votes  full          remainder rest total";
    /// Quota while a drawing waits.
    SeatsQuota => "kiesdeler {0}", "quota {0}";
    /// The steps are in Dutch, as on the form.
    SeatsStepsNote => "Stappen (zoals op model P 22-2):", "Steps (in Dutch, as on form P 22-2):";
    /// Something the committee must be told about the apportionment (P 9 with P 10, unfilled
    /// seats); {0} is the notice in the screen's language.
    SeatsNotice => "LET OP: {0}", "NOTE: {0}";
    /// The law version for remaining seats.
    SeatsLaw => "Restzetels volgens: {0}", "Remaining seats under: {0}";
    /// The preference threshold on the candidates screen (P 15: "groter dan").
    CandidatesThreshold => "Voorkeursdrempel {0}% van de kiesdeler = {1} stemmen: op voorkeur gekozen is wie meer stemmen heeft (P 15).", "Preference threshold {0}% of the quota = {1} votes: elected by preference with more votes than that (P 15).";
    /// A list's heading on the candidates screen.
    ListSeats => "Lijst {0} {1}: zetels {2}", "List {0} {1}: seats {2}";
    CandidatesTitle => "Gekozen kandidaten", "Elected candidates";
    ByPreference => "voorkeur", "preference";
    /// Elected by list order.
    ByListOrder => "lijstvolgorde", "list order";
    /// A list that cannot be elected here.
    ListUnsupported => "Lijst {0}: niet ondersteund: {1}", "List {0}: not supported: {1}";
    /// The candidates marked deceased, on the candidates screen: {0} list, {1} position, {2} name.
    CandidatesDeceased => "Overleden (P 19a), overgeslagen: lijst {0} nr {1} {2}", "Deceased (P 19a), passed over: list {0} no. {1} {2}";
    /// Title of marking a candidate deceased.
    DeceasedTitleMark => "Kandidaat overleden (P 19a)", "Candidate deceased (P 19a)";
    /// Title of undoing such a mark.
    DeceasedTitleUndo => "Markering overleden herstellen (vergissing)", "Undo a deceased mark (made in error)";
    DeceasedExplainMark => "Alleen de coordinator van het centraal stembureau markeert een kandidaat als overleden, met het bewijs van overlijden in handen. De kandidaat wordt bij de toewijzing van de zetels overgeslagen; een zetel die hem of haar zou toekomen, gaat naar de volgende kandidaat. Het besluit komt in het logboek en op het proces-verbaal (P 22-2).", "Only the coordinator of the central committee marks a candidate deceased, with the proof of death in hand. The candidate is passed over when the seats are given to candidates; a seat the candidate would have had goes to the next candidate. The decision goes into the journal and onto the report (P 22-2).";
    DeceasedExplainUndo => "Een markering die bij vergissing is gemaakt wordt hersteld: de kandidaat telt weer mee. Het herstel komt als eigen regel in het logboek; de markering blijft daar zichtbaar.", "A mark made in error is undone: the candidate counts again. The undoing goes into the journal as a record of its own; the mark stays visible there.";
    /// Prompt for the list.
    DeceasedPromptList => "Lijstnummer:", "List number:";
    /// Prompt for the candidate on list {0}.
    DeceasedPromptCandidate => "Nummer van de kandidaat op lijst {0}:", "Candidate's number on list {0}:";
    /// Prompt for the kieskring of list {0}, which differs between kieskringen ({1}: the
    /// kieskringen it stands in).
    DeceasedPromptKieskring => "Lijst {0} verschilt per kieskring (staat in kieskring {1}). Kieskring:", "List {0} differs between kieskringen (stands in kieskring {1}). Kieskring:";
    /// The list does not stand in the kieskring typed.
    DeceasedNoKieskring => "Lijst {0} staat niet in kieskring {1}; kies een van: {2}", "List {0} does not stand in kieskring {1}; choose one of: {2}";
    DeceasedNoList => "Er is geen lijst {0}", "There is no list {0}";
    DeceasedNoCandidate => "Lijst {0} heeft geen kandidaat {1}", "List {0} has no candidate {1}";
    DeceasedAlready => "Kandidaat {1} van lijst {0} is al als overleden gemarkeerd", "Candidate {1} of list {0} is marked deceased already";
    /// Not marked: nothing to undo.
    DeceasedNotMarked => "Kandidaat {1} van lijst {0} is niet als overleden gemarkeerd; er is niets te herstellen", "Candidate {1} of list {0} is not marked deceased; there is nothing to undo";
    /// A mark that would leave a drawing of lots already held unused.
    DeceasedLotNoLongerFits => "Kandidaat {1} van lijst {0} kan nu niet als overleden worden gemarkeerd: de loting die al is gehouden, zou dan niet meer nodig zijn en de uitslag kan niet worden vastgesteld; er is niets vastgelegd", "Candidate {1} of list {0} cannot be marked deceased now: the drawing of lots already held would no longer be needed and the result could not be determined; nothing was recorded";
    /// No marks at all.
    DeceasedNone => "Er is geen kandidaat als overleden gemarkeerd; er is niets te herstellen", "No candidate is marked deceased; there is nothing to undo";
    /// The decision in words: {0} list, {1} position, {2} name.
    ConfirmDeceased => "Lijst {0}, kandidaat {1}: {2} wordt als overleden gemarkeerd en bij de toewijzing overgeslagen (P 19a).", "List {0}, candidate {1}: {2} is marked deceased and passed over (P 19a).";
    /// The undoing in words: {0} list, {1} position, {2} name.
    ConfirmDeceasedUndo => "Lijst {0}, kandidaat {1}: {2}: de markering overleden wordt hersteld; de kandidaat telt weer mee.", "List {0}, candidate {1}: {2}: the deceased mark is undone; the candidate counts again.";
    /// How to confirm: the candidate's number again.
    ConfirmDeceasedPrompt => "Typ ter bevestiging opnieuw het nummer van de kandidaat ({0}) en druk Enter. Esc gaat terug zonder besluit.", "To confirm, type the candidate's number ({0}) again and press Enter. Esc goes back without a decision.";
    /// A wrong number at the confirmation.
    ConfirmWrongCandidate => "Dat is niet het nummer van deze kandidaat ({0}); er is niets besloten.", "That is not this candidate's number ({0}); nothing was decided.";
    DeceasedDone => "Lijst {0}, kandidaat {1} is als overleden gemarkeerd; de zetels van de lijst zijn opnieuw toegewezen.", "List {0}, candidate {1} is marked deceased; the list's seats were given again.";
    DeceasedUndoneDone => "Lijst {0}, kandidaat {1}: de markering overleden is hersteld.", "List {0}, candidate {1}: the deceased mark is undone.";
    CalculationFailed => "De berekening kan niet: {0}", "The calculation is not possible: {0}";

    // ---- export ----
    WriteFailed => "Schrijven mislukt: {0}", "Writing failed: {0}";
    DoneTitle => "Uitslag geschreven en gecontroleerd", "Result written and verified";
    DoneWhere => "Op de stick: {0}", "On the medium: {0}";
    DoneHash => "Hashcode van {0} (voor het papier):", "Hash code of {0} (for the paper):";

    // ---- journal ----
    JournalFailedNothingChanged => "Het logboek kan niet worden geschreven: {0}. Niets is veranderd.", "The journal cannot be written: {0}. Nothing changed.";
    StepRefused => "Niet mogelijk: {0}", "Not possible: {0}";

    // ---- parallel entry: the entry appliance's mode (docs/parallel-entry.md) ----
    /// The overview's title on an entry appliance.
    EntryOverviewTitle => "Invoerapparaat: toegewezen stembureaus", "Entry appliance: assigned polling stations";
    /// The overview before an assignment is read.
    NoAssignmentYet => "Nog geen toewijzing ingelezen.", "No assignment read yet.";
    /// The line below it: the key.
    NoAssignmentKey => "Druk I om de ondertekende toewijzing van het coordinerende GSB in te lezen.", "Press I to read the signed assignment of the coordinating GSB.";
    /// The overview's last column on an entry appliance.
    ColEntry => "Invoer", "Entry";
    /// The overview's line when this appliance has nothing: {0} the appliance.
    NothingAssignedHere => "De toewijzing geeft {0} geen stembureaus.", "The assignment gives {0} no polling stations.";
    /// {0} typed, {1} assigned.
    EntryProgressLine => "{0} van {1} toegewezen stembureaus getypt", "{0} of {1} assigned polling stations typed";
    /// {0} entries, {1} time.
    LastBatchLine => "Laatste batch: {0} invoeren, om {1}", "Last batch: {0} entries, at {1}";
    NoBatchYet => "Nog geen batch geschreven.", "No batch written yet.";
    /// The slot column: {0} 1 or 2.
    EntrySlotCol => "{0}e invoer", "entry {0}";
    /// A station typed here and since assigned elsewhere: its state.
    StAway => "niet meer hier", "assigned away";
    /// Its entry column: {0} the appliances now (`E2, E3`, or -).
    ReassignedAway => "nu {0}", "now {0}";
    /// State on an entry appliance: saved as complete.
    StTyped => "getypt", "typed";
    /// State on an entry appliance: saved with errors (the coordinator decides).
    StTypedErrors => "getypt, fouten", "typed, errors";
    KeyReadAssignment => "I toewijzing", "I assignment";
    KeyExportBatch => "E batch", "E batch";
    /// {0} station, {1} the appliances it is assigned to (or -).
    NotAssignedHere => "Stembureau {0} is niet aan dit invoerapparaat toegewezen (wel aan: {1}).", "Polling station {0} is not assigned to this entry appliance (it is to: {1}).";
    /// A key of the coordinating appliance pressed on an entry appliance.
    NotOnEntryAppliance => "Dat doet het coordinerende GSB, niet een invoerapparaat: hier typt u alleen de toegewezen stembureaus en schrijft u batches (E).", "The coordinating GSB does that, not an entry appliance: here you only type the assigned polling stations and write batches (E).";
    NothingToExportYet => "Er is nog geen invoer klaar om in een batch te schrijven.", "No entry is complete yet to write in a batch.";
    /// What the coordinator's PIN opens on an entry appliance.
    ActExportBatch => "een ondertekende invoerbatch naar de stick schrijven", "writing a signed entry batch to the stick";
    /// {0} entries, {1} where.
    BatchWrittenNote => "Invoerbatch ({0} invoeren) ondertekend, geschreven en gecontroleerd: {1}. Haal de stick eruit en breng hem naar het coordinerende GSB.", "Entry batch ({0} entries) signed, written and checked: {1}. Remove the stick and take it to the coordinating GSB.";
    /// {0} stations assigned here.
    AssignmentRead => "Toewijzing ingelezen: {0} stembureaus voor dit invoerapparaat.", "Assignment read: {0} polling stations for this entry appliance.";
    AssignmentSame => "Deze toewijzing is al ingelezen; er is niets veranderd.", "This assignment was read already; nothing changed.";
    /// The media list's first line on an entry appliance.
    MediaAssignmentTitle => "Kies de toewijzing om in te lezen (van het coordinerende GSB)", "Choose the assignment to read (of the coordinating GSB)";
    /// The header's title then.
    MediaAssignmentHeader => "Toewijzing inlezen", "Read the assignment";
    /// {0} why.
    AssignmentRefused => "Toewijzing geweigerd, er is niets veranderd: {0}", "Assignment refused, nothing changed: {0}";
    AssignmentNoFile => "het medium bevat geen entry-assignment.json", "the medium holds no entry-assignment.json";
    /// {0} the reader's reason.
    AssignmentFormat => "het bestand is geen toewijzing van deze versie ({0})", "the file is not an assignment of this version ({0})";
    /// {0} the assignment's election, {1} this count's.
    AssignmentOtherElection => "de toewijzing is van verkiezing {0}, dit apparaat telt {1}", "the assignment is of election {0}, this appliance counts {1}";
    /// {0} the assignment's body, {1} this appliance.
    AssignmentOtherBody => "de toewijzing is van gemeente {0}, dit is invoerapparaat {1}", "the assignment is of municipality {0}, this is entry appliance {1}";
    /// {0} station.
    AssignmentNoStation => "stembureau {0} bestaat niet in deze verkiezing", "polling station {0} does not exist in this election";
    /// {0} what the assignment names.
    AssignmentNotAppliance => "{0} is geen invoerapparaat van deze gemeente", "{0} is not an entry appliance of this municipality";
    /// {0} station.
    AssignmentTwice => "stembureau {0} staat twee keer in de toewijzing, of met beide invoeren op dit apparaat", "polling station {0} is in the assignment twice, or with both entries on this appliance";
    /// {0} the offered one's signing time, {1} the loaded one's.
    AssignmentOlder => "deze toewijzing is ondertekend om {0}, voor de ingelezen van {1}", "this assignment was signed at {0}, before the one read ({1})";
    HelpOverviewEntry => "Dit is een invoerapparaat: het typt de stembureaus die het coordinerende GSB het toewijst en schrijft ze als ondertekende batch naar een stick. I leest de toewijzing in (een nieuwere vervangt de oudere). Kies een toegewezen stembureau en druk Enter om het proces-verbaal te typen (PIN van een invoerder); elk stembureau wordt hier een keer getypt, als de 1e of 2e invoer die de toewijzing zegt. E en de PIN van een coordinator schrijven een batch met alle klare invoeren; een volgende batch bevat ze weer. Verschillen, het totaal en de uitslag doet het coordinerende GSB.", "This is an entry appliance: it types the polling stations the coordinating GSB assigns it and writes them as a signed batch to a stick. I reads the assignment (a newer one replaces the older). Choose an assigned polling station and press Enter to type its report (a typist's PIN); each polling station is typed here once, as the first or second entry the assignment says. E and a coordinator's PIN write a batch of every complete entry; a later batch holds them again. Differences, the total and the result are the coordinating GSB's.";
    HelpMediaAssignment => "Kies de map van de toewijzing (ondertekend door het coordinerende GSB van deze gemeente) en druk Enter. Dit apparaat controleert de handtekening, het certificaat, de bestanden, de soort en de verkiezing; een geweigerde toewijzing verandert niets. F5 zoekt opnieuw, Esc terug.", "Choose the folder of the assignment (signed by this municipality's coordinating GSB) and press Enter. This appliance checks the signature, the certificate, the files, the kind and the election; a refused assignment changes nothing. F5 looks again, Esc back.";

    // ---- parallel entry: the coordinating appliance (docs/parallel-entry.md) ----
    /// The progress screen's title.
    ProgressTitle => "Voortgang parallelle invoer", "Progress of parallel entry";
    /// The batch outcome screen's title: {0} the entry appliance.
    BatchTitle => "Invoerbatch van {0}", "Entry batch of {0}";
    KeyProgress => "P voortgang", "P progress";
    /// The media list's first line when the GSB imports an entry batch.
    MediaBatchTitle => "Kies de invoerbatch om in te lezen (van een invoerapparaat)", "Choose the entry batch to import (of an entry appliance)";
    /// The header's title then.
    MediaBatchHeader => "Invoerbatch inlezen", "Import an entry batch";
    SameApplianceOn => "Bij het inlezen mogen beide invoeren van een stembureau nu van een en hetzelfde invoerapparaat komen (niet van dezelfde persoon). A zet dit weer uit.", "Imports now allow both entries of a polling station from one and the same entry appliance (never from the same person). A switches this off again.";
    SameApplianceOff => "Bij het inlezen moeten de twee invoeren van een stembureau weer van verschillende invoerapparaten komen.", "Imports again require a polling station's two entries to come from different entry appliances.";
    SameApplianceShown => "Let op: beide invoeren van een apparaat toegestaan (A zet uit)", "Note: both entries from one appliance allowed (A switches off)";
    KeyRoundRobin => "R verdeel", "R assign";
    KeyAssignSlot => "1/2 wijs toe", "1/2 assign";
    KeyImportBatch => "I batch", "I batch";
    KeyExportAssignment => "E toewijzing", "E assignment";
    KeyProgressPdf => "O pdf", "O pdf";
    KeyScrollList => "Op/Neer", "Up/Down";
    KeyTypeNumber => "typ het nummer, Enter", "type the number, Enter";
    /// What the coordinator's PIN opens.
    ActProgress => "de voortgang van de parallelle invoer (toewijzen, batches inlezen)", "the progress of parallel entry (assign, import batches)";
    /// The round-robin prompt: {0} what is typed.
    RoundRobinPrompt => "Verdeel over invoerapparaten E1 t/m E{0}_ (aantal, Enter; Esc stopt)", "Assign over entry appliances E1 to E{0}_ (how many, Enter; Esc stops)";
    /// The slot prompt: {0} station, {1} entry, {2} typed.
    SlotPrompt => "Stembureau {0}, {1}e invoer naar invoerapparaat E{2}_ (Enter; Esc stopt)", "Polling station {0}, entry {1} to entry appliance E{2}_ (Enter; Esc stops)";
    /// {0} how many entries.
    AssignedNote => "Invoeren toegewezen: {0}.", "Entries assigned: {0}.";
    NothingUnassigned => "Alle stembureaus zijn al toegewezen.", "Every polling station is assigned already.";
    RoundRobinTooFew => "Typ minstens 2: de 1e en 2e invoer van een stembureau komen van verschillende invoerapparaten.", "Type at least 2: a polling station's first and second entry come from different entry appliances.";
    ApplianceNumber => "Typ een nummer van 1 tot en met 999.", "Type a number from 1 to 999.";
    /// {0} station, {1} the appliance of its other entry.
    SlotSameAppliance => "De andere invoer van stembureau {0} staat al bij {1}: kies een ander invoerapparaat.", "The other entry of polling station {0} is with {1} already: choose another entry appliance.";
    /// {0} where.
    AssignmentWritten => "Toewijzing ondertekend naar de stick geschreven: {0}", "Assignment written to the stick, signed: {0}";
    /// {0} where.
    ProgressWritten => "Voortgangsoverzicht (pdf) ondertekend naar de stick geschreven: {0}", "Progress overview (pdf) written to the stick, signed: {0}";
    NothingAssigned => "Er is nog niets toegewezen.", "Nothing is assigned yet.";
    BatchAlready => "Deze batch is al eerder ingelezen; er is niets veranderd.", "This batch was imported before; nothing changed.";
    /// {0} entries, {1} placed, {2} held, {3} in already, {4} refused.
    BatchSummary => "{0} invoeren: {1} geplaatst, {2} vastgehouden, {3} al binnen, {4} geweigerd.", "{0} entries: {1} placed, {2} held, {3} in already, {4} refused.";
    /// {0} why.
    BatchRefused => "Batch geweigerd, er is niets veranderd: {0}", "Batch refused, nothing changed: {0}";
    BatchNoFile => "het medium bevat geen entry-batch.json", "the medium holds no entry-batch.json";
    /// {0} the reader's reason.
    BatchFormat => "het bestand is geen invoerbatch van deze versie ({0})", "the file is not an entry batch of this version ({0})";
    /// {0} the batch's election, {1} this count's.
    BatchOtherElection => "de batch is van verkiezing {0}, deze telling van {1}", "the batch is of election {0}, this count of {1}";
    /// {0} the batch's body, {1} the signer, {2} this body.
    BatchOtherBody => "de batch is van {0} (ondertekend door {1}), niet van gemeente {2}", "the batch is of {0} (signed by {1}), not of municipality {2}";
    /// {0} the appliance named, {1} the signer.
    BatchOtherSigner => "de batch zegt van invoerapparaat {0} te zijn, maar {1} heeft hem ondertekend", "the batch says it is of entry appliance {0}, but {1} signed it";
    /// {0} station, {1} entry.
    BatchTwice => "stembureau {0}, {1}e invoer staat twee keer in de batch", "polling station {0}, entry {1} is in the batch twice";
    /// {0} the typist's name.
    TypistNotHere => "Deze invoer is van {0}, getypt op een invoerapparaat. Registreer {0} op dit apparaat (F9) om verder te typen.", "This entry is {0}'s, typed on an entry appliance. Register {0} on this appliance (F9) to type on.";
    AssignNoElection => "Toewijzen kan pas als de verkiezing is ingelezen.", "Assigning needs the election to be loaded first.";
    /// {0} station.
    AssignNoStation => "Stembureau {0} hoort niet bij deze verkiezing; er is niets toegewezen.", "Polling station {0} is not of this election; nothing was assigned.";
    /// {0} the appliance named.
    AssignNotAppliance => "{0} is geen invoerapparaat van deze gemeente; er is niets toegewezen.", "{0} is not an entry appliance of this municipality; nothing was assigned.";
    /// {0} station, {1} entry, {2} the appliance whose entry is in.
    AssignEntryIn => "Stembureau {0}, {1}e invoer: de invoer van {2} is al binnen; er is niets toegewezen.", "Polling station {0}, entry {1}: the entry of {2} is in already; nothing was assigned.";
    /// An entry's slot: {0} 1 or 2.
    SlotShort => "{0}e", "#{0}";
    /// The entries shown of an imported batch: {0} first, {1} last, {2} how many.
    EntriesShown => "({0}-{1} van {2}, Op/Neer)", "({0}-{1} of {2}, Up/Down)";
    OutPlaced => "geplaatst", "placed";
    OutHeld => "vastgehouden tot de 1e invoer binnen is", "held until the first entry is in";
    OutReconciled => "al binnen, gelijk", "in already, the same";
    /// {0} why.
    OutRefused => "GEWEIGERD: {0}", "REFUSED: {0}";
    RNoSuchStation => "geen stembureau van deze verkiezing", "no polling station of this election";
    /// {0} the appliance it is assigned to.
    RNotAssigned => "toegewezen aan {0}, niet aan dit invoerapparaat", "assigned to {0}, not to this entry appliance";
    RNotAssignedNone => "aan geen invoerapparaat toegewezen", "not assigned to any entry appliance";
    /// {0} the field.
    RBadField => "veld {0} hoort niet op het formulier, staat er twee keer of heeft een verkeerde waarde", "field {0} is not on the form, is there twice, or has a wrong value";
    /// {0} the code.
    RBadFinding => "{0} is geen waarschuwingscode", "{0} is not a warning code";
    /// {0} the entry in, {1} the batch's.
    RDiffers => "er is al een invoer van {0}; deze is van {1}", "an entry is in already, by {0}; this one is by {1}";
    /// {0} the other entry.
    RSamePerson => "de andere invoer is van dezelfde persoon: {0}", "the other entry is by the same person: {0}";
    /// {0} the other entry.
    RSameAppliance => "de andere invoer komt van hetzelfde invoerapparaat: {0}", "the other entry came from the same entry appliance: {0}";
    /// {0} where the station stands.
    RNotOpen => "het stembureau neemt nu geen invoer aan ({0})", "the polling station takes no entry now ({0})";
    RDiscarded => "de coordinator heeft deze invoer weggegooid", "the coordinator discarded this entry";
    /// {0} typist, {1} appliance.
    OriginOn => "{0} op {1}", "{0} on {1}";
    /// {0} typist.
    OriginHere => "{0} op dit apparaat", "{0} on this appliance";
    /// {0} stations, {1} definitive, {2} with differences, {3} not assigned.
    ProgressSummary => "{0} stembureaus: {1} definitief, {2} met verschillen, {3} niet (helemaal) toegewezen.", "{0} polling stations: {1} definitive, {2} with differences, {3} not (fully) assigned.";
    ProgressAppliances => "Invoerapparaten:", "Entry appliances:";
    NoAppliances => "  nog geen (R verdeelt de stembureaus)", "  none yet (R assigns the polling stations)";
    /// {0} appliance, {1} delivered, {2} what it still holds.
    ApplianceLine => "  {0}: {1} ingeleverd, heeft nog: {2}", "  {0}: {1} delivered, still holds: {2}";
    HoldsNothing => "niets", "nothing";
    ProgressHead => "  Nr  1e invoer             2e invoer             Stand", "  No. First entry           Second entry          Stage";
    /// {0} appliance.
    EntryOpen => "{0} open", "{0} open";
    Here => "hier", "here";
    HelpProgress => "Parallelle invoer: invoerapparaten typen de stembureaus, dit apparaat leest hun ondertekende batches in. Per stembureau staat waar de 1e en 2e invoer zijn (apparaat en invoerder, of open) en de stand; bovenaan per invoerapparaat wat het nog heeft. R verdeelt alle nog niet toegewezen stembureaus over E1 t/m En (typ n, Enter): de 1e en 2e invoer op verschillende apparaten. 1 of 2 wijst de 1e of 2e invoer van het gekozen stembureau toe aan een ander apparaat (typ het nummer). E schrijft de ondertekende toewijzing naar de stick voor de invoerapparaten. I leest een batch in van een stick; daarna staat per invoer wat ermee gebeurd is. O schrijft het voortgangsoverzicht (pdf) naar de stick. A staat toe dat bij het inlezen beide invoeren van een stembureau van hetzelfde invoerapparaat komen (nooit van dezelfde persoon; standaard uit, en weer uit na een herstart); nog eens A zet het uit. Op/Neer en PgUp/PgDn kiezen een stembureau; Esc terug.", "Parallel entry: entry appliances type the polling stations, this appliance imports their signed batches. Each polling station shows where its first and second entry are (appliance and typist, or open) and its stage; at the top each entry appliance and what it still holds. R assigns every polling station not yet assigned over E1 to En (type n, Enter): the first and second entry on different appliances. 1 or 2 assigns the first or second entry of the selected polling station to another appliance (type its number). E writes the signed assignment to the stick for the entry appliances. I imports a batch from a stick; then each entry's outcome is shown. O writes the progress overview (pdf) to the stick. A allows imports to take both entries of a polling station from the same entry appliance (never from the same person; off by default, and off again after a restart); A again switches it off. Up/Down and PgUp/PgDn select a polling station; Esc back.";
    HelpBatch => "Wat de ingelezen batch deed, per invoer: geplaatst als 1e of 2e invoer, vastgehouden (een 2e invoer die voor de 1e kwam), al binnen (dezelfde invoer uit een eerdere batch) of geweigerd met de reden. Een geweigerde invoer blijft in het bewaarde batchbestand; los het op (bijvoorbeeld opnieuw toewijzen) en lees een latere batch in. Verschillen beslist u daarna zoals altijd met C op het overzicht. Op/Neer en PgUp/PgDn bladeren; Esc terug naar de voortgang.", "What the imported batch did, per entry: placed as the first or second entry, held (a second entry that came before the first), in already (the same entry from an earlier batch) or refused with the reason. A refused entry stays in the kept batch file; resolve it (for instance assign again) and import a later batch. Differences are then decided as always with C on the overview. Up/Down and PgUp/PgDn scroll; Esc back to the progress.";

    // ---- help (F1) ----
    HelpTitleCloses => "Hulp (F1 sluit)", "Help (F1 closes)";
    /// Help on a media screen.
    HelpMediaCounts => "De ondertekende bestanden op de stick(s). Kies er een met de pijlen en druk Enter: de handtekening, de ondertekenaar en de verkiezing worden gecontroleerd voordat iets wordt gelezen.", "The signed media on the stick(s). Choose one with the arrows and press Enter: the signature, the signer and the election are checked before anything is read.";
    /// Help on a hash-code screen.
    HelpGroups => "Typ de gevraagde groepen van vier tekens van de hashcode die op het papier staat. Klopt het niet, dan wordt het bestand geweigerd.", "Type the groups of four characters asked for, from the hash code printed on the paper. If they do not match, the file is refused.";
    /// Help on the overview.
    HelpOverviewBodies => "Elke uitslag die dit stembureau verwacht: binnen, ontbreekt, geweigerd (met de reden) of correctie wacht (!). I leest een uitslag in, K toont een correctie, T het totaal als alles binnen is. Op het centraal stembureau legt V een verzoek tot onderzoek aan een gemeente vast. De pijltoetsen scrollen.", "Every result this committee expects: in, missing, refused (with the reason) or correction waiting (!). I imports a result, K shows a correction, T the total when everything is in. At the central committee V records a request to a municipality to investigate. The arrow keys scroll.";
    /// Help on the correction screen.
    HelpCorrection => "Een ander bestand van een stembureau dat al binnen is. Alleen de coordinator beslist: 1 neemt het nieuwe bestand, 2 houdt het huidige. Beide blijven in het logboek.", "A different file from a body already in. Only the coordinator decides: 1 takes the new file, 2 keeps the current one. Both stay in the log.";
    /// Help on the figures screen.
    HelpFigures => "Vergelijk deze getallen met het papieren proces-verbaal voordat u verder gaat.", "Compare these figures with the paper report before you go on.";
    /// Help on the seats screen.
    HelpSeats => "De zetelverdeling in exacte breuken: kiesdeler, volle zetels, en elke restzetel met de regel en de vergeleken waarden.", "The seat apportionment in exact fractions: quota, full seats, and each remaining seat with its rule and the values compared.";
    /// Help on the lot screen.
    HelpLot => "Bij gelijke stand kiest het programma niet. Het centraal stembureau loot in het openbaar; typ het getrokken nummer. Het wordt vastgelegd en de berekening gaat verder.", "In a tie the program does not choose. The central committee draws lots in public; type the number drawn. It is recorded and the calculation continues.";
    /// Help on the candidates screen.
    HelpCandidates => "De gekozen kandidaten per lijst: eerst op voorkeur (boven de drempel), dan in lijstvolgorde. O markeert een overleden kandidaat (alleen de coordinator, bevestigd met het nummer van de kandidaat; de kandidaat wordt overgeslagen, P 19a), H herstelt een markering die bij vergissing is gemaakt. E schrijft de 510d, de 520 en het proces-verbaal.", "The elected candidates per list: first by preference (above the threshold), then in list order. O marks a candidate deceased (the coordinator only, confirmed with the candidate's number; passed over, P 19a), H undoes a mark made in error. E writes the 510d, the 520 and the report.";
    /// Help on marking a candidate deceased.
    HelpDeceased => "Een overleden kandidaat (P 19a): typ het lijstnummer en Enter; verschilt de lijst per kieskring, dan de kieskring en Enter; dan het nummer van de kandidaat (op de lijst van die kieskring) en Enter. Het scherm zegt het besluit in woorden; typ het nummer van de kandidaat opnieuw en Enter om het vast te leggen. Letters doen hier niets. Esc gaat terug zonder besluit.", "A deceased candidate (P 19a): type the list number and Enter; for a list that differs between kieskringen, then the kieskring and Enter; then the candidate's number (on that kieskring's list) and Enter. The screen says the decision in words; type the candidate's number again and Enter to record it. Letters do nothing here. Esc goes back without a decision.";
    /// Help on the done screen.
    HelpDone => "De uitslag is ondertekend geschreven en teruggelezen. Neem de hashcode over op het papier. E schrijft dezelfde bestanden op nog een stick.", "The result was written signed and read back. Copy the hash code onto the paper. E writes the same files to another stick.";

    // ---- key bars ----
    KeysGroups => "F1 hulp  Tab volgend veld  Enter controleer  Esc terug", "F1 help  Tab next field  Enter check  Esc back";
    KeysOverview => "F1 hulp  I inlezen  K correctie  T totaal  Pijlen scroll  F2 taal  Ctrl+Q stop", "F1 help  I import  K correction  T total  Arrows scroll  F2 lang  Ctrl+Q quit";
    /// The keys of the CSB's overview.
    KeysOverviewCsb => "F1 hulp  I inlezen  K correctie  V verzoek  T totaal  F2 taal  Ctrl+Q stop", "F1 help  I import  K correction  V request  T total  F2 lang  Ctrl+Q quit";
    KeysCorrection => "F1 hulp  1 aanvaarden  2 huidig houden  Pijlen scroll  Esc terug", "F1 help  1 accept  2 keep current  Arrows scroll  Esc back";
    /// Figures keys at an HSB.
    KeysFiguresHsb => "F1 hulp  E schrijf de 510c  Pijlen scroll  Esc overzicht", "F1 help  E write the 510c  Arrows scroll  Esc overview";
    /// Figures keys at a CSB.
    KeysFiguresCsb => "F1 hulp  Z zetelverdeling  Pijlen scroll  Esc overzicht", "F1 help  Z seat apportionment  Arrows scroll  Esc overview";
    KeysSeats => "F1 hulp  Enter kandidaten  Pijlen scroll  Esc totaal", "F1 help  Enter candidates  Arrows scroll  Esc total";
    KeysLot => "F1 hulp  Enter vastleggen  Esc terug", "F1 help  Enter record  Esc back";
    KeysCandidates => "F1 hulp  E schrijf 510d/520  O overleden  H herstel  Pijlen scroll  Esc zetels", "F1 help  E write 510d/520  O deceased  H undo mark  Arrows scroll  Esc seats";
    /// Keys while a list or candidate number is typed.
    KeysDeceased => "F1 hulp  cijfers + Enter  Backspace wist  Esc terug zonder besluit", "F1 help  digits + Enter  Backspace erases  Esc back without a decision";
    /// Keys of the confirmation of a deceased mark.
    KeysConfirmDeceased => "F1 hulp  nummer kandidaat + Enter bevestigt  Esc terug", "F1 help  candidate's number + Enter confirms  Esc back";
    KeysDone => "F1 hulp  E nog een stick  Ctrl+Q stop", "F1 help  E another stick  Ctrl+Q quit";

    // ---- what the media library reports, in the officials' words ----
    /// A stick pulled while it was read.
    MediaRemovedWhileReading => "De stick is verwijderd tijdens het inlezen; er is niets ingelezen", "The stick was removed while it was read; nothing was read in";
    /// A stick that vanished or became unreadable.
    MediaGone => "De stick is verwijderd of onleesbaar geworden", "The stick was removed or became unreadable";
    /// Reading or writing failed.
    MediaIo => "Lezen of schrijven op de stick is mislukt", "Reading or writing the stick failed";
    /// The stick cannot be mounted.
    MediaMount => "De stick kan niet worden geopend (koppelen mislukt)", "The stick cannot be opened (mounting failed)";
    /// The stick cannot be unmounted.
    MediaUnmount => "De stick kan niet worden losgekoppeld", "The stick cannot be unmounted";
    /// The mount options are not in force.
    MediaOptions => "De stick kan niet veilig worden geopend (koppelopties niet actief)", "The stick cannot be opened safely (mount options not in force)";
    /// A symbolic link on the stick.
    MediaSymlink => "Geweigerd: de stick bevat een snelkoppeling (symbolische link)", "Refused: the stick holds a symbolic link";
    /// A device or other special file on the stick.
    MediaNotRegular => "Geweigerd: de stick bevat een apparaatbestand of ander speciaal bestand", "Refused: the stick holds a device or other special file";
    /// A file too large.
    MediaTooLarge => "Geweigerd: een bestand op de stick is te groot", "Refused: a file on the stick is too large";
    /// The files together too large.
    MediaTotalTooLarge => "Geweigerd: de bestanden op de stick zijn samen te groot", "Refused: the files on the stick are too large together";
    /// Too many entries in a folder.
    MediaTooManyEntries => "Geweigerd: te veel bestanden in een map op de stick", "Refused: too many files in a folder on the stick";
    /// A bad file name.
    MediaBadName => "Ongeldige bestandsnaam", "Invalid file name";
    /// An export of that name exists.
    MediaExportExists => "Op de stick staat al een export met deze naam", "The stick already holds an export of this name";
    MediaReadBack => "Controle na het schrijven mislukt: de stick geeft andere gegevens terug", "The check after writing failed: the stick gives other data back";
    /// The signed medium did not verify.
    MediaVerifyFailed => "De controle van het ondertekende medium is mislukt", "The check of the signed medium failed";
    /// A fault injected by a test.
    MediaInjected => "Testfout ingevoegd", "Test fault injected";
    /// The stick is not usable.
    MediaNotUsable => "Deze stick is niet bruikbaar", "This stick is not usable";
    /// The stick was removed.
    MediaRemoved => "De stick is verwijderd", "The stick was removed";
    /// The audit log cannot be written.
    MediaAudit => "Het logboek kan niet worden bijgewerkt", "The log cannot be written";
    /// USB devices cannot be followed.
    MediaDevices => "USB-apparaten kunnen niet worden gevolgd", "USB devices cannot be followed";
    /// A card reader without a card.
    UnusableNoMedium => "geen medium (kaartlezer zonder kaart?)", "no medium (a card reader without a card?)";
    UnusableNoPartition => "geen bruikbare partitie", "no usable partition";
    /// Only unsupported file systems.
    UnusableFileSystem => "geen bruikbare partitie: bestandssysteem niet ondersteund ({0}); gebruik FAT32 of exFAT", "no usable partition: file system not supported ({0}); use FAT32 or exFAT";
    /// A file system the appliance has but never mounts from a stick (ext4).
    UnusableFileSystemRefused => "niet gebruikt: {0} wordt van een stick nooit geopend (alleen FAT32 of exFAT); de stick is niet gekoppeld", "not used: {0} is never opened from a stick (FAT32 or exFAT only); the stick was not mounted";
    UnusableSeveral => "{0} bruikbare partities; gebruik een stick met een partitie", "{0} usable partitions; use a stick with one partition";
    /// The stick cannot be read.
    UnusableUnreadable => "stick onleesbaar ({0})", "stick unreadable ({0})";
    /// An export failed; the stick is unchanged.
    ExportFailedUnchanged => "Exporteren mislukt: {0} De gegevens blijven op dit apparaat; probeer het opnieuw, eventueel met een andere stick. De stick is niet gewijzigd.", "Export failed: {0} The data stay on this appliance; try again, with another stick if need be. The stick is unchanged.";
    /// An export failed; the stick may hold a partial export.
    ExportFailedPartial => "Exporteren mislukt: {0} De gegevens blijven op dit apparaat; probeer het opnieuw, eventueel met een andere stick. Op de stick kan een onvolledige export staan; gebruik die niet.", "Export failed: {0} The data stay on this appliance; try again, with another stick if need be. The stick may hold an incomplete export; do not use it.";
    /// An unknown device (no vendor or model).
    DeviceUnknown => "onbekend apparaat", "unknown device";
    /// A device described: {0} vendor and model, {1} its node.
    DeviceAt => "{0} op {1}", "{0} at {1}";
    /// A device described with its serial number: {0} vendor and model, {1} serial, {2} node.
    DeviceSerialAt => "{0} (serienummer {1}) op {2}", "{0} (serial number {1}) at {2}";

    // ---- the hash code typed from the paper (core's check_typed_groups) ----
    /// A typed group is not four hex characters: {0} the group's number, {1} what was typed.
    HashGroupMalformed => "De hashcode klopt niet met het papier: groep {0} moet 4 tekens 0-9 of a-f zijn; getypt: \"{1}\"", "The hash code does not match the paper: group {0} must be 4 characters 0-9 or a-f; typed: \"{1}\"";
    /// A typed group differs from the file: {0} the group's number, {1} what was typed, {2} the file's.
    HashGroupDiffers => "De hashcode klopt niet met het papier: groep {0} is op het papier \"{1}\", in het bestand iets anders. Kijk het papier na; klopt het, dan hoort dit bestand niet bij dit papier.", "The hash code does not match the paper: group {0} is \"{1}\" on the paper and something else in the file. Check the paper; if it is right, this file does not belong to this paper.";
    /// The groups asked cannot be checked (two equal or out of range): a program error.
    HashGroupsAsked => "De gevraagde groepen van de hashcode kunnen niet gecontroleerd worden ({0})", "The hash code groups asked cannot be checked ({0})";

    // ---- drawings of lots, in the screen's language ----
    /// A remaining seat decided by lot: {0} its number, {1} the rule, {2} the tied lists.
    DrawingRemainingSeat => "restzetel {0} ({1}) tussen lijsten {2}", "remaining seat {0} ({1}) between lists {2}";
    /// P 9's retraction decided by lot: {0} the tied lists.
    DrawingRetraction => "P 9: welke van de lijsten {0} een zetel afstaat", "P 9: which of lists {0} gives up a seat";
    /// A preference seat decided by lot: {0} the list, {1} the seat, {2} the tied candidates.
    DrawingPreferenceSeat => "lijst {0}, voorkeurszetel {1}, tussen kandidaten {2}", "list {0}, preference seat {1}, between candidates {2}";
    /// P 7: highest averages.
    RuleHighestAverages => "P 7 grootste gemiddelden", "P 7 highest averages";
    /// P 8: largest remainders.
    RuleLargestRemainders => "P 8 grootste overschotten", "P 8 largest remainders";
    /// P 8: highest averages, at most one seat per list.
    RuleOnePerList => "P 8 grootste gemiddelden, ten hoogste een zetel per lijst", "P 8 highest averages, at most one seat per list";
    /// P 8: highest averages without that limit.
    RuleUnlimited => "P 8 grootste gemiddelden, zonder beperking", "P 8 highest averages, without limit";

    // ---- why a signed medium is refused (the signing crate's checks) ----
    RefusedIncomplete => "Stick geweigerd: de stick is onvolledig of onleesbaar", "Medium refused: the stick is incomplete or unreadable";
    /// A link or special file.
    RefusedLink => "Stick geweigerd: de stick bevat een snelkoppeling (symbolische link) of een speciaal bestand; zulke bestanden worden nooit gelezen", "Medium refused: the stick holds a symbolic link or a special file; such files are never read";
    /// Not recognised by the root key.
    RefusedSignerUnknown => "Stick geweigerd: de ondertekenaar is niet erkend door de vertrouwde sleutel van de Kiesraad", "Medium refused: the signer is not recognised by the Electoral Council's trusted key";
    /// Certificate not valid now.
    RefusedCertificateTime => "Stick geweigerd: het certificaat van de ondertekenaar is nu niet geldig", "Medium refused: the signer's certificate is not valid now";
    RefusedMediumOtherElection => "Stick geweigerd: de stick hoort bij een andere verkiezing", "Medium refused: the stick belongs to another election";
    /// A signer not allowed to send this.
    RefusedSignerNotAllowed => "Stick geweigerd: deze ondertekenaar mag deze inhoud niet versturen", "Medium refused: this signer may not send this content";
    /// Another kind of content.
    RefusedOtherKind => "Stick geweigerd: de stick bevat een ander soort inhoud dan gevraagd", "Medium refused: the stick holds another kind of content than asked";
    /// The signature does not match.
    RefusedChanged => "Stick geweigerd: de handtekening klopt niet: de stick is na ondertekening gewijzigd", "Medium refused: the signature does not match: the stick was changed after signing";
    /// A file changed or missing.
    RefusedFileChanged => "Stick geweigerd: een bestand op de stick is na ondertekening gewijzigd of ontbreekt", "Medium refused: a file on the stick was changed after signing or is missing";
    RefusedDamaged => "Stick geweigerd: de stick is beschadigd of ongeldig", "Medium refused: the stick is damaged or invalid";

    // ---- the definition medium and the export, in the officials' words ----
    /// The 110a is missing.
    Missing110a => "Stick geweigerd: de verkiezingsdefinitie (110a) ontbreekt op de stick", "Medium refused: the election definition (110a) is missing from the stick";
    /// The 230b is missing.
    Missing230b => "Stick geweigerd: de kandidatenlijsten (230b) ontbreken op de stick", "Medium refused: the candidate lists (230b) are missing from the stick";
    /// The 110b is missing.
    Missing110b => "Stick geweigerd: de stembureaulijst (110b) ontbreekt op de stick", "Medium refused: the list of polling stations (110b) is missing from the stick";
    /// The kieskring's 230b is missing: {0} the kieskring.
    Missing230bKieskring => "Stick geweigerd: de kandidatenlijsten (230b) van kieskring {0} ontbreken op de stick", "Medium refused: the candidate lists (230b) of kieskring {0} are missing from the stick";
    /// The EML files do not agree.
    DefinitionEmlWrong => "Stick geweigerd: de EML-bestanden kloppen niet", "Medium refused: the EML files are not right";
    /// The 110b is another municipality's: {0} its code, {1} this body's.
    OtherMunicipality => "Stick geweigerd: de stembureaulijst is van gemeente {0}, dit stembureau telt voor {1}", "Medium refused: the list of polling stations is of municipality {0}, this body counts for {1}";
    /// A stick without a signed medium: {0} the stick.
    NoSignedMediumOnStick => "Stick geweigerd: {0}: op deze stick is geen map met een ondertekend medium gevonden", "Medium refused: {0}: no folder with a signed medium was found on this stick";
    /// The stick was pulled while it was read.
    StickPulledWhileReading => "Stick geweigerd: de stick is verwijderd tijdens het inlezen; er is niets ingelezen", "Medium refused: the stick was removed while it was read; nothing was read in";
    /// No usable stick for the export: {0} what the sticks present are.
    ExportNoStick => "Exporteren mislukt: geen bruikbare stick gevonden; steek een lege stick in (FAT32 of exFAT){0}", "Export failed: no usable stick found; insert an empty stick (FAT32 or exFAT){0}";
    /// Several usable sticks: {0} how many.
    ExportSeveralSticks => "Exporteren mislukt: {0} bruikbare sticks; laat er precies een in zitten", "Export failed: {0} usable sticks; leave exactly one in";
    /// The export folder exists: {0} where.
    ExportFolderExists => "Exporteren mislukt: {0} bestaat al", "Export failed: {0} exists already";
}
