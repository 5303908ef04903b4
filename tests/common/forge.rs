//! What a member can make without casebook: decrypt a copy with the `age` CLI, add events and
//! a commit with `sqlite3`, sign the commit with `ssh-keygen -Y sign` and their own key, and
//! encrypt it again. The attacks on the committee's rules are built with this alone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

/// The hash of an event row as the signed history defines it (see `vault::history`).
pub fn event_hash(row: &[&str; 7]) -> String {
    let [id, case, author, at, kind, amends, payload] = *row;
    let or_null = |s: &str| {
        if s.is_empty() {
            serde_json::Value::Null
        } else {
            s.into()
        }
    };
    let header = serde_json::json!([
        "casebook-event/1",
        id,
        or_null(case),
        author,
        at,
        kind,
        or_null(amends),
        hex(&Sha256::digest(payload.as_bytes()))
    ]);
    hex(&Sha256::digest(header.to_string().as_bytes()))
}

/// A case file decrypted by a member into a plaintext database, to forge on.
pub struct Forgery {
    dir: PathBuf,
    /// The plaintext database.
    pub db: PathBuf,
    file: PathBuf,
    count: usize,
    /// Summaries of sealed cases the next commit carries (as a reader's commit does).
    pub summaries: Option<serde_json::Value>,
}

/// One event to forge: its case (by id), kind and payload (JSON, as casebook stores it).
pub struct Forged<'a> {
    pub case: Option<&'a str>,
    pub kind: &'a str,
    pub payload: String,
}

impl Forgery {
    /// Decrypt `file` with `key` (the `age` CLI) beside it.
    pub fn open(key: &Path, file: &Path) -> Forgery {
        let dir = file.parent().unwrap().to_path_buf();
        let db = file.with_extension("forged.db");
        let _ = fs::remove_file(&db);
        super::age_decrypt(key, file, &db);
        Forgery {
            dir,
            db,
            file: file.to_path_buf(),
            count: 0,
            summaries: None,
        }
    }

    /// One value `query` gives.
    pub fn one(&self, query: &str) -> String {
        super::sqlite(&self.db, query).trim().to_string()
    }

    /// The id of the member called `name`.
    pub fn member(&self, name: &str) -> String {
        self.one(&format!("SELECT id FROM members WHERE name = '{name}';"))
    }

    /// The id of the case called `code`.
    pub fn case(&self, code: &str) -> String {
        self.one(&format!("SELECT id FROM cases WHERE code_name = '{code}';"))
    }

    /// The newest commit.
    pub fn head(&self) -> String {
        self.one("SELECT id FROM commits ORDER BY seq DESC LIMIT 1;")
    }

    /// Append `events` by the member `author` (a name) in one commit on top of the head,
    /// claiming `at` (RFC 3339, as casebook stores it), signed by `ssh-keygen` with the
    /// private key `key` (its `.pub` beside it). Gives the commit's id.
    pub fn commit(&mut self, author: &str, key: &Path, at: &str, events: &[Forged<'_>]) -> String {
        let events: Vec<(uuid::Uuid, &Forged<'_>)> =
            events.iter().map(|e| (uuid::Uuid::new_v4(), e)).collect();
        self.commit_events(author, key, at, &events)
    }

    /// [`Forgery::commit`], with the events' ids chosen (so that one can name another).
    pub fn commit_with_ids(
        &mut self,
        author: &str,
        key: &Path,
        at: &str,
        events: &[(uuid::Uuid, Forged<'_>)],
    ) -> String {
        let events: Vec<(uuid::Uuid, &Forged<'_>)> =
            events.iter().map(|(id, e)| (*id, e)).collect();
        self.commit_events(author, key, at, &events)
    }

    fn commit_events(
        &mut self,
        author: &str,
        key: &Path,
        at: &str,
        events: &[(uuid::Uuid, &Forged<'_>)],
    ) -> String {
        let author = self.member(author);
        let parents = vec![self.head()];
        let public = fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        let public = public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let mut entries: Vec<(String, String)> = Vec::new();
        for (id, e) in events {
            self.count += 1;
            let id = id.to_string();
            let hash = event_hash(&[
                &id,
                e.case.unwrap_or(""),
                &author,
                at,
                e.kind,
                "",
                &e.payload,
            ]);
            entries.push((id.clone(), hash));
            let payload_file = self.dir.join(format!("payload-{}.txt", self.count));
            fs::write(&payload_file, &e.payload).unwrap();
            let case = e
                .case
                .map(|c| format!("'{c}'"))
                .unwrap_or_else(|| "NULL".into());
            super::sqlite(
                &self.db,
                &format!(
                    "INSERT INTO events (id, case_id, author, at, kind, payload) VALUES
                     ('{id}', {case}, '{author}', '{at}', '{}', CAST(readfile('{}') AS TEXT));",
                    e.kind,
                    payload_file.display()
                ),
            );
            fs::remove_file(&payload_file).unwrap();
        }
        let mut body = serde_json::json!({
            "format": "casebook-commit/1",
            "parents": parents,
            "author": author,
            "key": public,
            "at": at,
            "events": entries,
        });
        if let Some(summaries) = self.summaries.take() {
            body["summaries"] = summaries;
        }
        let body = body.to_string();
        let signature = self.sign(key, &body);
        let id = hex(&Sha256::digest(body.as_bytes()));
        let body_file = self.dir.join("forged-body.txt");
        fs::write(&body_file, &body).unwrap();
        super::sqlite(
            &self.db,
            &format!(
                "INSERT INTO commits (id, body, signature)
                 VALUES ('{id}', CAST(readfile('{}') AS TEXT), '{signature}');",
                body_file.display()
            ),
        );
        fs::remove_file(&body_file).unwrap();
        id
    }

    fn sign(&self, key: &Path, text: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let message = self.dir.join("forged-message");
        fs::write(&message, text).unwrap();
        let sig = self.dir.join("forged-message.sig");
        let _ = fs::remove_file(&sig);
        let private = self.dir.join("forged-signing-key");
        fs::copy(key, &private).unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
        let status = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "casebook-history", "-f"])
            .arg(&private)
            .arg(&message)
            .status()
            .unwrap();
        assert!(status.success());
        let text = fs::read_to_string(&sig).unwrap();
        for f in [message, sig, private] {
            fs::remove_file(f).unwrap();
        }
        text
    }

    /// Encrypt the forged database again, over the file, to the keys in `recipients` (public
    /// key files), as the `age` CLI does; the plaintext is removed.
    pub fn seal(self, recipients: &[PathBuf]) {
        let list = self.dir.join("forged-recipients.txt");
        let keys: Vec<String> = recipients
            .iter()
            .map(|r| fs::read_to_string(r).unwrap().trim().to_string())
            .collect();
        fs::write(&list, keys.join("\n")).unwrap();
        let _ = fs::remove_file(&self.file);
        super::age_encrypt(&list, &self.db, &self.file);
        fs::remove_file(&list).unwrap();
        fs::remove_file(&self.db).unwrap();
    }
}
