//! OpenSSH signatures (SSHSIG, namespace `casebook`) over exported records: made with a
//! member's ed25519 key, checked here or with `ssh-keygen -Y verify`.
//!
//! Checking follows `ssh-keygen -Y verify` rule for rule (OpenSSH's `sshsig.c`), so that
//! `casebook verify --allowed-signers` and stock OpenSSH never disagree: the signature's
//! namespace must be exactly `casebook`; an allowed_signers line's principals and
//! `namespaces="..."` are OpenSSH pattern lists (`*`, `?`, `!negation`); `cert-authority`
//! lines never admit a plain key; `valid-after`/`valid-before` are compared with a verify time;
//! a malformed line is skipped, as OpenSSH 9 skips it.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSHSIG namespace of every casebook signature.
pub const NAMESPACE: &str = "casebook";

/// Why a signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(String);

/// Sign `message` with `key`; returns the armored signature (`-----BEGIN SSH SIGNATURE-----`).
pub fn sign(key: &PrivateKey, message: &[u8]) -> Result<String, SignError> {
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, message)
        .map_err(|e| SignError(e.to_string()))?;
    signature
        .to_pem(LineEnding::LF)
        .map_err(|e| SignError(e.to_string()))
}

/// What checking one signature found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The signature is valid for this key (`ssh-ed25519 AAAA...`, no comment).
    Valid {
        /// The signer's public key line.
        key: String,
        /// Its `SHA256:` fingerprint.
        fingerprint: String,
    },
    /// Not a valid casebook signature over these bytes.
    Invalid {
        /// Why.
        reason: String,
    },
}

/// Check the armored signature `pem` over `message`: cryptographically, and that it was made
/// for exactly the `casebook` namespace. Who may sign is for the caller to say.
pub fn check(message: &[u8], pem: &str) -> Checked {
    let invalid = |reason: &str| Checked::Invalid {
        reason: reason.to_string(),
    };
    let Ok(signature) = SshSig::from_pem(pem) else {
        return invalid("not an SSH signature");
    };
    if signature.namespace() != NAMESPACE {
        return Checked::Invalid {
            reason: format!(
                "signed for namespace {:?}, not {NAMESPACE:?}",
                casebook_core::sanitize::inline(signature.namespace())
            ),
        };
    }
    let public = PublicKey::from(signature.public_key().clone());
    if public.verify(NAMESPACE, message, &signature).is_err() {
        return invalid("the signature does not match these bytes (changed after signing?)");
    }
    let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
    match public.to_openssh() {
        Ok(key) => Checked::Valid {
            key: key.trim().to_string(),
            fingerprint,
        },
        Err(_) => invalid("unreadable signer key"),
    }
}

/// Format `at` as OpenSSH writes times in allowed_signers and `-Overify-time`: UTC, to the
/// second, `YYYYMMDDHHMMSSZ`.
pub fn openssh_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d%H%M%SZ").to_string()
}

/// Parse an OpenSSH absolute time (`YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, UTC with a
/// trailing `Z`, else local time), as `ssh-keygen` does.
pub fn parse_openssh_time(text: &str) -> Option<DateTime<Utc>> {
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = match digits.len() {
        8 => NaiveDate::parse_from_str(digits, "%Y%m%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?,
        12 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M").ok()?,
        14 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok()?,
        _ => return None,
    };
    if utc {
        Some(Utc.from_utc_datetime(&naive))
    } else {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// OpenSSH's `match_pattern`: `*` matches any run of characters, `?` any one. Matched
/// without recursion, going back only to the last `*`: a pattern of many stars (an
/// allowed_signers file is someone else's text) costs at most text times pattern steps, not
/// exponential time. Gives what OpenSSH's recursive matcher gives.
fn match_pattern(text: &[u8], pattern: &[u8]) -> bool {
    let (mut t, mut p) = (0, 0);
    // After the last `*` seen: where the pattern goes on, and where the text was then.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                // Let the last `*` take one more character, and go on from there.
                Some((after, from)) => {
                    star = Some((after, from + 1));
                    p = after;
                    t = from + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// OpenSSH's `match_pattern_list`: 1 if some pattern of the comma-separated `list` matches and
/// no negated one (`!pattern`) does, -1 if a negated one matches, 0 if none does.
pub fn match_pattern_list(text: &str, list: &str) -> i8 {
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        // OpenSSH gives up on a pattern longer than its buffer.
        if pattern.len() >= 1023 {
            return 0;
        }
        if match_pattern(text.as_bytes(), pattern.as_bytes()) {
            if negated {
                return -1;
            }
            positive = true;
        }
    }
    i8::from(positive)
}

/// One line of an OpenSSH allowed_signers file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The principals field, a pattern list (`robin@example.org`, `*@example.org,!eve@...`).
    pub principals: String,
    /// The key, `TYPE BASE64`.
    pub key: String,
    /// The line is a certificate authority: it admits certificates it signed, never a plain
    /// key.
    pub cert_authority: bool,
    /// `namespaces="..."`, a pattern list.
    pub namespaces: Option<String>,
    /// `valid-after="..."`.
    pub valid_after: Option<DateTime<Utc>>,
    /// `valid-before="..."`.
    pub valid_before: Option<DateTime<Utc>>,
}

/// Why an allowed_signers line does not admit a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Another key.
    OtherKey,
    /// A `cert-authority` line.
    CertAuthority,
    /// Restricted to other namespaces.
    Namespace,
    /// Not yet valid at the verify time.
    NotYetValid(DateTime<Utc>),
    /// No longer valid at the verify time.
    Expired(DateTime<Utc>),
}

impl AllowedSigner {
    /// Whether this line lets `key` sign (in the `casebook` namespace) at `at`.
    pub fn admits(&self, key: &str, at: DateTime<Utc>) -> Result<(), Refused> {
        if self.cert_authority {
            return Err(Refused::CertAuthority);
        }
        if !same_key(&self.key, key) {
            return Err(Refused::OtherKey);
        }
        if let Some(list) = &self.namespaces
            && match_pattern_list(NAMESPACE, list) != 1
        {
            return Err(Refused::Namespace);
        }
        if let Some(after) = self.valid_after
            && at < after
        {
            return Err(Refused::NotYetValid(after));
        }
        if let Some(before) = self.valid_before
            && at > before
        {
            return Err(Refused::Expired(before));
        }
        Ok(())
    }

    /// Whether the line names `principal` (its principals pattern list matches).
    pub fn names(&self, principal: &str) -> bool {
        match_pattern_list(principal, &self.principals) == 1
    }
}

/// Whether two `TYPE BASE64 [comment]` key lines are the same key.
fn same_key(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        let mut w = s.split_whitespace();
        (w.next().map(str::to_owned), w.next().map(str::to_owned))
    };
    match (PublicKey::from_openssh(a), PublicKey::from_openssh(b)) {
        (Ok(a), Ok(b)) => a.key_data() == b.key_data(),
        _ => words(a) == words(b),
    }
}

/// A line of an allowed_signers file: parsed, or malformed (and then skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A usable line.
    Signer(AllowedSigner),
    /// A line OpenSSH refuses.
    Malformed {
        /// The first word, when the line has more than one.
        principals: Option<String>,
        /// What is wrong.
        reason: String,
    },
}

/// Parse an OpenSSH allowed_signers file, line by line; blank lines and comments are left out.
pub fn parse_allowed_signers(text: &str) -> Vec<Line> {
    text.lines()
        .map(|l| l.trim_matches([' ', '\t', '\r']))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> Line {
    let (principals, rest) = match line.split_once([' ', '\t']) {
        Some((p, rest)) => (p.to_string(), rest.trim_start_matches([' ', '\t'])),
        None => {
            return Line::Malformed {
                principals: None,
                reason: "no key".into(),
            };
        }
    };
    let malformed = |reason: &str| Line::Malformed {
        principals: Some(principals.clone()),
        reason: reason.to_string(),
    };
    let (options, key) = if is_key(rest) {
        (None, rest)
    } else {
        let Some((options, key)) = split_options(rest) else {
            return malformed("invalid options");
        };
        if !is_key(key) {
            return malformed("invalid key");
        }
        (Some(options), key)
    };
    let mut signer = AllowedSigner {
        principals: principals.clone(),
        key: key.split_whitespace().take(2).collect::<Vec<_>>().join(" "),
        cert_authority: false,
        namespaces: None,
        valid_after: None,
        valid_before: None,
    };
    if let Some(options) = options {
        for option in split_unquoted(options, ',') {
            let lower = option.to_ascii_lowercase();
            let value = |name: &str| -> Option<String> {
                let v = option.get(name.len()..)?;
                v.strip_prefix('"')?.strip_suffix('"').map(str::to_string)
            };
            if lower == "cert-authority" {
                signer.cert_authority = true;
            } else if lower.starts_with("namespaces=") {
                match value("namespaces=") {
                    Some(v) if signer.namespaces.is_none() => signer.namespaces = Some(v),
                    _ => return malformed("bad namespaces option"),
                }
            } else if lower.starts_with("valid-after=") {
                match value("valid-after=")
                    .as_deref()
                    .and_then(parse_openssh_time)
                {
                    Some(t) if signer.valid_after.is_none() => signer.valid_after = Some(t),
                    _ => return malformed("bad valid-after option"),
                }
            } else if lower.starts_with("valid-before=") {
                match value("valid-before=")
                    .as_deref()
                    .and_then(parse_openssh_time)
                {
                    Some(t) if signer.valid_before.is_none() => signer.valid_before = Some(t),
                    _ => return malformed("bad valid-before option"),
                }
            } else {
                return malformed("unknown option");
            }
        }
    }
    Line::Signer(signer)
}

/// Whether `text` starts with a public key OpenSSH would read (`TYPE BASE64 [comment]`).
fn is_key(text: &str) -> bool {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(kind), Some(data)) => PublicKey::from_openssh(&format!("{kind} {data}")).is_ok(),
        _ => false,
    }
}

/// Split `OPTIONS KEY...` where OPTIONS may contain quoted spaces.
fn split_options(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => {
                return Some((&text[..i], text[i..].trim_start_matches([' ', '\t'])));
            }
            _ => {}
        }
    }
    None
}

fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// What an allowed_signers file says about a valid signature by `key` at `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judged {
    /// These lines' principals may sign with the key.
    Allowed(Vec<String>),
    /// No line admits the key; the most telling reason, if a line named the key.
    Refused(Option<Refused>),
}

/// Judge a signature by `key` at `at` against `lines`, as `ssh-keygen -Y verify -I principal`
/// does when `principal` is given, and as `-Y find-principals` then verify does otherwise.
pub fn judge(lines: &[Line], key: &str, principal: Option<&str>, at: DateTime<Utc>) -> Judged {
    let mut allowed = Vec::new();
    let mut refusal = None;
    for line in lines {
        match line {
            Line::Malformed { .. } => {}
            Line::Signer(signer) => {
                if principal.is_some_and(|p| !signer.names(p)) {
                    continue;
                }
                match signer.admits(key, at) {
                    Ok(()) => {
                        if principal.is_some() {
                            return Judged::Allowed(vec![signer.principals.clone()]);
                        }
                        allowed.push(signer.principals.clone());
                    }
                    Err(Refused::OtherKey) => {}
                    Err(other) => refusal = Some(other),
                }
            }
        }
    }
    if allowed.is_empty() {
        Judged::Refused(refusal)
    } else {
        Judged::Allowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenSSH's recursive matcher, as casebook had it: the reference the fast one must equal.
    fn recursive(text: &[u8], pattern: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|i| recursive(&text[i..], rest)),
            Some((b'?', rest)) => !text.is_empty() && recursive(&text[1..], rest),
            Some((c, rest)) => text.first() == Some(c) && recursive(&text[1..], rest),
        }
    }

    proptest::proptest! {
        #[test]
        fn matching_gives_what_the_recursive_matcher_gives(
            text in "[ab*?]{0,12}",
            pattern in "[ab*?]{0,8}",
        ) {
            proptest::prop_assert_eq!(
                match_pattern(text.as_bytes(), pattern.as_bytes()),
                recursive(text.as_bytes(), pattern.as_bytes())
            );
        }
    }

    #[test]
    fn a_pattern_of_many_stars_is_matched_at_once() {
        // Found by fuzzing (fuzz/regressions/allowed_signers): this took exponential time.
        let pattern = format!("d{}X", "*".repeat(60));
        let text = "d".repeat(200);
        assert!(!match_pattern(text.as_bytes(), pattern.as_bytes()));
        assert_eq!(match_pattern_list(&text, &pattern), 0);
    }

    #[test]
    fn patterns_follow_openssh() {
        assert_eq!(match_pattern_list("casebook", "casebook"), 1);
        assert_eq!(match_pattern_list("casebook", "casebook-test"), 0);
        assert_eq!(match_pattern_list("casebook", "other,casebook"), 1);
        assert_eq!(match_pattern_list("casebook", "case*"), 1);
        assert_eq!(match_pattern_list("casebook", "*,!casebook"), -1);
        assert_eq!(match_pattern_list("a@x", "?@x"), 1);
        assert_eq!(match_pattern_list("ab@x", "?@x"), 0);
    }

    #[test]
    fn times_are_read_as_openssh_writes_them() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 30, 5).unwrap();
        assert_eq!(parse_openssh_time(&openssh_time(t)), Some(t));
        assert_eq!(
            parse_openssh_time("20260301Z"),
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_openssh_time("2026-03-01"), None);
        assert_eq!(parse_openssh_time("202603"), None);
    }

    #[test]
    fn options_and_malformed_lines() {
        let key =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmbAJpTYXLr1Bqo1Ou3Hrm4NEC6q7KDj6ETDpj8o5ec";
        let lines = parse_allowed_signers(&format!(
            "# comment\n\na@x {key}\nb@x namespaces=\"casebook\",valid-before=\"20200101Z\" {key} c\nc@x cert-authority {key}\nd@x bogus=\"1\" {key}\n"
        ));
        assert_eq!(lines.len(), 4);
        let Line::Signer(b) = &lines[1] else { panic!() };
        assert_eq!(b.namespaces.as_deref(), Some("casebook"));
        assert!(b.valid_before.is_some());
        let now = Utc::now();
        assert_eq!(
            judge(&lines, key, Some("a@x"), now),
            Judged::Allowed(vec!["a@x".into()])
        );
        assert_eq!(
            judge(&lines, key, None, now),
            Judged::Allowed(vec!["a@x".into()])
        );
        assert!(matches!(
            judge(&lines, key, Some("b@x"), now),
            Judged::Refused(Some(Refused::Expired(_)))
        ));
        assert_eq!(
            judge(&lines, key, Some("c@x"), now),
            Judged::Refused(Some(Refused::CertAuthority))
        );
        assert_eq!(judge(&lines, key, Some("d@x"), now), Judged::Refused(None));
    }
}
