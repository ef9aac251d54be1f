//! The texts of the HSB and CSB screens: Dutch (default) and English, one entry per key, so a
//! key without both texts does not compile. ASCII only (the Linux console's fonts).

pub use crate::text::Lang;

crate::text::catalogue! {
    #[doc = "A message key of the higher levels: one text in each language."]
    /// Program name in the header.
    AppName => "Telprogramma", "Tally";
    /// Header: the level of a principal committee.
    LevelHsb => "Hoofdstembureau", "Principal electoral committee";
    /// Header: the level of the central committee.
    LevelCsb => "Centraal stembureau", "Central electoral committee";

    // ---- start ----
    /// Start screen title.
    StartTitle => "Start: controleer de identiteit met het papier", "Start: check the identity against the paper";
    /// Root fingerprint label.
    StartRoot => "Vertrouwde sleutel (Kiesraad):", "Trusted key (Electoral Council):";
    /// Body label.
    StartBody => "Dit apparaat telt voor:", "This appliance counts for:";
    /// Certificate fingerprint label.
    StartCert => "Certificaat:", "Certificate:";
    /// System hash label.
    StartSystem => "Systeem:", "System:";
    /// Passphrase prompt.
    StartPassphrase => "Wachtwoordzin:", "Passphrase:";
    /// Unlock refused.
    UnlockRefused => "Ontgrendelen geweigerd: {0}", "Unlock refused: {0}";
    /// The passphrase does not decrypt the body key.
    UnlockWrongPassphrase => "Ontgrendelen geweigerd: de wachtwoordzin is onjuist", "Unlock refused: the passphrase is wrong";
    /// The decrypted key does not belong to the certificate.
    UnlockKeyNotOfCertificate => "Ontgrendelen geweigerd: de sleutel hoort niet bij het certificaat", "Unlock refused: the key does not belong to the certificate";

    // ---- media ----
    /// Media screen title for the definition.
    MediaDefinitionTitle => "Kies de stick met de verkiezingsdefinitie (110a, 230b)", "Choose the medium with the election definition (110a, 230b)";
    /// Media screen title for an import.
    MediaImportTitle => "Kies de uitslag om in te lezen ({0})", "Choose the result to import ({0})";
    /// No media.
    MediaNone => "Geen ondertekende bestanden gevonden. Plaats een stick en druk R.", "No signed media found. Insert a stick and press R.";

    /// Demo only: what the paper would say.
    DemoPaper => "DEMO, het papier zou zeggen: {0}", "DEMO, the paper would say: {0}";

    // ---- definition check ----
    /// Definition check title.
    DefinitionTitle => "Controleer de verkiezingsdefinitie met het papier", "Check the election definition against the paper";
    /// Election line.
    DefinitionElection => "Verkiezing: {0} ({1})", "Election: {0} ({1})";
    /// Seats and lists.
    DefinitionSeats => "Zetels: {0}   kandidatenlijsten: {1}", "Seats: {0}   candidate lists: {1}";
    /// Which body this is.
    DefinitionBody => "Dit stembureau: {0} {1}", "This committee: {0} {1}";
    /// Bodies expected.
    DefinitionBodies => "Verwacht: {0} uitslagen", "Expected: {0} results";
    /// The signer.
    DefinitionSigner => "Ondertekend door: {0}", "Signed by: {0}";
    /// Type hash groups of the 110a.
    DefinitionTypeGroups => "Typ groep {0} en groep {1} van de hashcode van de 110a (op het papier):", "Type group {0} and group {1} of the 110a's hash code (on the paper):";
    /// Type hash groups of a 230b.
    DefinitionTypeGroups230b => "Typ groep {0} en groep {1} van de hashcode van {2}:", "Type group {0} and group {1} of the hash code of {2}:";
    /// Definition refused.
    DefinitionRefused => "Verkiezingsdefinitie geweigerd: {0}", "Election definition refused: {0}";
    /// Definition accepted.
    DefinitionAccepted => "Verkiezingsdefinitie aanvaard.", "Election definition accepted.";

    // ---- overview ----
    /// Overview title.
    OverviewTitle => "Overzicht: {0} van {1} binnen", "Overview: {0} of {1} in";
    /// State: imported.
    StateIn => "binnen", "in";
    /// State: missing.
    StateMissing => "ontbreekt", "missing";
    /// T pressed while results are missing.
    TotalNotYet => "Nog geen totaal: {0} uitslag(en) ontbreken ({1}).", "No total yet: {0} result(s) missing ({1}).";
    /// T pressed while a correction waits.
    TotalCorrectionFirst => "Nog geen totaal: eerst de wachtende correctie beslissen (K).", "No total yet: decide the waiting correction first (K).";
    /// State: refused.
    StateRefused => "geweigerd", "refused";
    /// State: correction pending.
    StateCorrection => "correctie wacht", "correction waiting";
    /// Refused files heading.
    OverviewRefusedHeading => "Geweigerd:", "Refused:";
    /// All in.
    OverviewComplete => "Alle uitslagen zijn binnen. Druk T voor het totaal.", "All results are in. Press T for the total.";

    // ---- import ----
    /// Import check title.
    ImportTitle => "Uitslag van {0} {1}", "Result of {0} {1}";
    /// File line.
    ImportFile => "Bestand: {0}", "File: {0}";
    /// Signer line.
    ImportSigner => "Ondertekend door: {0}", "Signed by: {0}";
    /// Type groups of the file's hash code.
    ImportTypeGroups => "Typ groep {0} en groep {1} van de hashcode op het papieren proces-verbaal:", "Type group {0} and group {1} of the hash code on the paper report:";
    /// Group field label.
    GroupLabel => "Groep {0}:", "Group {0}:";
    /// Hash groups do not match.
    GroupsMismatch => "De hashcode klopt niet met het papier: {0}", "The hash code does not match the paper: {0}";
    /// Imported.
    Imported => "Uitslag van {0} ingelezen.", "Result of {0} imported.";
    /// Same file again.
    AlreadyImported => "Dit bestand van {0} is al ingelezen; er verandert niets.", "This file of {0} was imported before; nothing changes.";

    // ---- refusals of a file ----
    /// Refused: a generic prefix.
    FileRefused => "Geweigerd: {0}", "Refused: {0}";
    /// The signature does not hold.
    RefusedForged => "de handtekening klopt niet: het bestand is na ondertekening gewijzigd of niet echt", "the signature does not hold: the file was changed after signing or is not genuine";
    /// Signed for another election.
    RefusedOtherElection => "de stick hoort bij een andere verkiezing", "the medium belongs to another election";
    /// Signer's role may not send this.
    RefusedRole => "deze ondertekenaar mag deze uitslag niet versturen", "this signer may not send this result";
    /// The signer is not the body the file speaks for.
    RefusedWrongBody => "ondertekend door {0}, maar het bestand is de uitslag van {1}", "signed by {0}, but the file is the result of {1}";
    /// Not recognised by the root.
    RefusedRoot => "de ondertekenaar is niet erkend door de vertrouwde sleutel van de Kiesraad", "the signer is not recognised by the Electoral Council's trusted key";
    /// Certificate not valid now.
    RefusedCertTime => "het certificaat van de ondertekenaar is nu niet geldig", "the signer's certificate is not valid now";
    /// Incomplete or unreadable medium.
    RefusedUnreadable => "de stick is onvolledig, onleesbaar of bevat een snelkoppeling", "the medium is incomplete, unreadable or holds a link";
    /// Other kind of content.
    RefusedKind => "de stick bevat een ander soort inhoud dan gevraagd", "the medium holds another kind of content than asked";
    /// No or several count files.
    RefusedFiles => "de stick moet precies een telling (EML) bevatten", "the medium must hold exactly one count (EML)";
    /// Not a readable count.
    RefusedNotCount => "het bestand is geen leesbare telling", "the file is not a readable count";
    /// EML for another election.
    RefusedEmlElection => "het bestand is van verkiezing {0}, niet van {1}", "the file is of election {0}, not {1}";
    /// Wrong level.
    RefusedLevel => "het bestand is een {0}; hier wordt een {1} ingelezen", "the file is a {0}; this level imports a {1}";
    /// Unknown body.
    RefusedUnknownBody => "{0} hoort niet bij dit stembureau", "{0} does not belong to this committee";
    /// Wrong contest.
    RefusedContest => "het bestand van {0} noemt kieskring {1}, verwacht {2}", "the file of {0} names contest {1}, expected {2}";
    /// Sums wrong.
    RefusedSums => "de optellingen in het bestand kloppen niet", "the sums in the file are wrong";
    /// Unknown list or candidate.
    RefusedListCandidate => "{0} staat niet op de kandidatenlijsten", "{0} is not on the candidate lists";
    /// Another correction pending.
    RefusedCorrectionPending => "er wacht al een correctie van {0}; beslis daar eerst over", "a correction of {0} is waiting; decide on it first";
    /// Anything else.
    RefusedOther => "het bestand kan niet worden gebruikt", "the file cannot be used";

    // ---- correction ----
    /// Correction title.
    CorrectionTitle => "Correctie: een ander bestand van {0} {1}", "Correction: a different file of {0} {1}";
    /// Column headings.
    CorrectionColumns => "veld                                   nu ingelezen      nieuw bestand", "field                                  imported now      new file";
    /// Current file.
    CorrectionCurrent => "Nu:    {0}", "Now:   {0}";
    /// Proposed file.
    CorrectionProposed => "Nieuw: {0}", "New:   {0}";
    /// No differences in the totals.
    CorrectionNoDifference => "(geen verschil in de totalen)", "(no difference in the totals)";
    /// Decided: accepted.
    CorrectionAccepted => "Correctie van {0} aanvaard; beide bestanden staan in het logboek.", "Correction of {0} accepted; both files are in the log.";
    /// Decided: rejected.
    CorrectionRejected => "Correctie van {0} afgewezen; het eerdere bestand blijft.", "Correction of {0} rejected; the earlier file stays.";
    /// The question.
    CorrectionQuestion => "Alleen de coordinator beslist. 1 = nieuw bestand aanvaarden, 2 = huidig houden.", "Only the coordinator decides. 1 = accept the new file, 2 = keep the current one.";

    // ---- figures ----
    /// Figures title.
    FiguresTitle => "Totaal: vergelijk met het papieren proces-verbaal", "Total: compare with the paper report";

    // ---- apportionment ----
    /// Seats title.
    SeatsTitle => "Zetelverdeling (stap voor stap)", "Seat apportionment (step by step)";
    /// Lot title.
    LotTitle => "Gelijke stand: loting nodig", "Tie: a drawing of lots is needed";
    /// The lists tied.
    LotSeat => "Restzetel: gelijk tussen lijsten {0}", "Remaining seat: tie between lists {0}";
    /// The candidates tied.
    LotCandidate => "Lijst {0}: gelijk tussen kandidaten {1}", "List {0}: tie between candidates {1}";
    /// One of the tied and its votes.
    LotVotes => "  {0}: {1} stemmen", "  {0}: {1} votes";
    /// The program does not decide.
    LotExplain => "Het programma kiest niet. Trek in het openbaar het lot en typ de uitkomst.", "The program does not choose. Draw lots in public and type the outcome.";
    /// Prompt for a list.
    LotPromptList => "Getrokken lijst (nummer):", "List drawn (number):";
    /// Prompt for a candidate.
    LotPromptCandidate => "Getrokken kandidaat (nummer op de lijst):", "Candidate drawn (number on the list):";
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
    /// Candidates title.
    CandidatesTitle => "Gekozen kandidaten", "Elected candidates";
    /// Elected by preference.
    ByPreference => "voorkeur", "preference";
    /// Elected by list order.
    ByListOrder => "lijstvolgorde", "list order";
    /// A list that cannot be elected here.
    ListUnsupported => "Lijst {0}: niet ondersteund: {1}", "List {0}: not supported: {1}";
    /// Calculation failed.
    CalculationFailed => "De berekening kan niet: {0}", "The calculation is not possible: {0}";

    // ---- export ----
    /// Export failed.
    ExportFailed => "Schrijven mislukt: {0}", "Writing failed: {0}";
    /// Done title.
    DoneTitle => "Uitslag geschreven en gecontroleerd", "Result written and verified";
    /// Where.
    DoneWhere => "Op de stick: {0}", "On the medium: {0}";
    /// The hash code.
    DoneHash => "Hashcode van {0} (voor het papier):", "Hash code of {0} (for the paper):";

    // ---- journal ----
    /// Journal write failed.
    JournalFailed => "Het logboek kan niet worden geschreven: {0}. Niets is veranderd.", "The journal cannot be written: {0}. Nothing changed.";
    /// A step refused.
    StepRefused => "Niet mogelijk: {0}", "Not possible: {0}";

    // ---- help (F1) ----
    /// Help title.
    HelpTitle => "Hulp (F1 sluit)", "Help (F1 closes)";
    /// Help on the start screen.
    HelpStart => "Vergelijk de vingerafdrukken met het papier dat bij dit apparaat hoort. Typ de wachtwoordzin van de sleutel van dit stembureau.", "Compare the fingerprints with the paper that came with this appliance. Type the passphrase of this committee's key.";
    /// Help on a media screen.
    HelpMedia => "De ondertekende bestanden op de stick(s). Kies er een met de pijlen en druk Enter: de handtekening, de ondertekenaar en de verkiezing worden gecontroleerd voordat iets wordt gelezen.", "The signed media on the stick(s). Choose one with the arrows and press Enter: the signature, the signer and the election are checked before anything is read.";
    /// Help on a hash-code screen.
    HelpGroups => "Typ de gevraagde groepen van vier tekens van de hashcode die op het papier staat. Klopt het niet, dan wordt het bestand geweigerd.", "Type the groups of four characters asked for, from the hash code printed on the paper. If they do not match, the file is refused.";
    /// Help on the overview.
    HelpOverview => "Elke uitslag die dit stembureau verwacht: binnen, ontbreekt, geweigerd (met de reden) of correctie wacht (!). I leest een uitslag in, K toont een correctie, T het totaal als alles binnen is.", "Every result this committee expects: in, missing, refused (with the reason) or correction waiting (!). I imports a result, K shows a correction, T the total when everything is in.";
    /// Help on the correction screen.
    HelpCorrection => "Een ander bestand van een stembureau dat al binnen is. Alleen de coordinator beslist: 1 neemt het nieuwe bestand, 2 houdt het huidige. Beide blijven in het logboek.", "A different file from a body already in. Only the coordinator decides: 1 takes the new file, 2 keeps the current one. Both stay in the log.";
    /// Help on the figures screen.
    HelpFigures => "Vergelijk deze getallen met het papieren proces-verbaal voordat u verder gaat.", "Compare these figures with the paper report before you go on.";
    /// Help on the seats screen.
    HelpSeats => "De zetelverdeling in exacte breuken: kiesdeler, volle zetels, en elke restzetel met de regel en de vergeleken waarden.", "The seat apportionment in exact fractions: quota, full seats, and each remaining seat with its rule and the values compared.";
    /// Help on the lot screen.
    HelpLot => "Bij gelijke stand kiest het programma niet. Het centraal stembureau loot in het openbaar; typ het getrokken nummer. Het wordt vastgelegd en de berekening gaat verder.", "In a tie the program does not choose. The central committee draws lots in public; type the number drawn. It is recorded and the calculation continues.";
    /// Help on the candidates screen.
    HelpCandidates => "De gekozen kandidaten per lijst: eerst op voorkeur (boven de drempel), dan in lijstvolgorde. E schrijft de 510d, de 520 en het proces-verbaal.", "The elected candidates per list: first by preference (above the threshold), then in list order. E writes the 510d, the 520 and the report.";
    /// Help on the done screen.
    HelpDone => "De uitslag is ondertekend geschreven en teruggelezen. Neem de hashcode over op het papier.", "The result was written signed and read back. Copy the hash code onto the paper.";

    // ---- key bars ----
    /// Start keys.
    KeysStart => "F1 hulp  Enter ontgrendel  F2 English  Ctrl+Q stop", "F1 help  Enter unlock  F2 Nederlands  Ctrl+Q quit";
    /// Media keys.
    KeysMedia => "F1 hulp  Pijlen kies  Enter lees  R opnieuw zoeken  Esc terug", "F1 help  Arrows choose  Enter read  R rescan  Esc back";
    /// Group typing keys.
    KeysGroups => "F1 hulp  Tab volgend veld  Enter controleer  Esc terug", "F1 help  Tab next field  Enter check  Esc back";
    /// Overview keys.
    KeysOverview => "F1 hulp  I inlezen  K correctie  T totaal  Pijlen scroll  F2 taal  Ctrl+Q stop", "F1 help  I import  K correction  T total  Arrows scroll  F2 lang  Ctrl+Q quit";
    /// Correction keys.
    KeysCorrection => "F1 hulp  1 aanvaarden  2 huidig houden  Pijlen scroll  Esc terug", "F1 help  1 accept  2 keep current  Arrows scroll  Esc back";
    /// Figures keys at an HSB.
    KeysFiguresHsb => "F1 hulp  E schrijf de 510c  Pijlen scroll  Esc overzicht", "F1 help  E write the 510c  Arrows scroll  Esc overview";
    /// Figures keys at a CSB.
    KeysFiguresCsb => "F1 hulp  Z zetelverdeling  Pijlen scroll  Esc overzicht", "F1 help  Z seat apportionment  Arrows scroll  Esc overview";
    /// Seats keys.
    KeysSeats => "F1 hulp  Enter kandidaten  Pijlen scroll  Esc totaal", "F1 help  Enter candidates  Arrows scroll  Esc total";
    /// Lot keys.
    KeysLot => "F1 hulp  Enter vastleggen  Esc terug", "F1 help  Enter record  Esc back";
    /// Candidates keys.
    KeysCandidates => "F1 hulp  E schrijf 510d en 520  Pijlen scroll  Esc zetels", "F1 help  E write 510d and 520  Arrows scroll  Esc seats";
    /// Done keys.
    KeysDone => "F1 hulp  Ctrl+Q stop", "F1 help  Ctrl+Q quit";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages_with_the_same_placeholders_and_is_ascii() {
        for &m in Msg::ALL {
            assert!(!m.nl().is_empty() && !m.en().is_empty(), "{m:?}");
            assert!(m.nl().is_ascii() && m.en().is_ascii(), "{m:?}");
            for i in 0..4 {
                let p = format!("{{{i}}}");
                assert_eq!(m.nl().contains(&p), m.en().contains(&p), "{m:?} {p}");
            }
        }
    }
}
