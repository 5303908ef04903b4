//! A committee of members, each on a laptop of their own (a home, config and pins apart), on
//! one case file in a temporary folder: the fixture of the tests that play several members.

use std::path::{Path, PathBuf};

use super::Laptop;
use super::forge::{Forged, Forgery};

/// The members (the first is the chair who founded the file), their keys and laptops.
pub struct Members {
    _tmp: tempfile::TempDir,
    /// The folder of the case file and the keys (`NAME`, `NAME.pub`, lower case).
    pub dir: PathBuf,
    /// The case file.
    pub file: PathBuf,
    keys: Vec<(String, PathBuf, Laptop)>,
}

impl Members {
    /// `names` (the first founds the file, the others are added by them), or `None` when a
    /// tool the tests need is missing (CI fails loudly instead: see [`super::have`]).
    pub fn new(names: &[&str]) -> Option<Members> {
        if !["age", "sqlite3", "ssh-keygen"]
            .iter()
            .all(|t| super::have(t))
        {
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let file = dir.join("committee.cases.age");
        let mut keys = Vec::new();
        for name in names {
            let key = super::member_key(&dir, &name.to_lowercase());
            keys.push((name.to_string(), key.clone(), Laptop::with_key(&key)));
        }
        let founder = &keys[0].2;
        founder.ok(&[&"init", &file, &"--name", &names[0]]);
        for name in &names[1..] {
            let public = dir.join(format!("{}.pub", name.to_lowercase()));
            founder.ok(&[&"member", &"add", &file, &"--name", name, &"--key", &public]);
        }
        Some(Members {
            _tmp: tmp,
            dir,
            file,
            keys,
        })
    }

    /// The laptop of `name`.
    pub fn laptop(&self, name: &str) -> &Laptop {
        &self.keys.iter().find(|k| k.0 == name).unwrap().2
    }

    /// The private key of `name`.
    pub fn key(&self, name: &str) -> &Path {
        &self.keys.iter().find(|k| k.0 == name).unwrap().1
    }

    /// Every member's laptop but the first's (the founder's).
    pub fn others(&self) -> impl Iterator<Item = &Laptop> {
        self.keys[1..].iter().map(|k| &k.2)
    }

    /// Run casebook as `name`; it must succeed. Gives its standard output.
    pub fn as_(&self, name: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
        self.laptop(name).ok(args)
    }

    /// Run casebook as `name`; it must fail. Gives its standard error.
    pub fn refused(&self, name: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
        super::fails(&self.laptop(name).run(args))
    }

    /// Every member's public key file.
    pub fn publics(&self) -> Vec<PathBuf> {
        self.keys
            .iter()
            .map(|(n, _, _)| self.dir.join(format!("{}.pub", n.to_lowercase())))
            .collect()
    }

    /// The id of case `code` in the case file (as `sqlite3` reads it after `age -d`).
    pub fn case_id(&self, code: &str) -> String {
        let first = &self.keys[0].0;
        let f = Forgery::open(self.key(first), &self.file);
        let id = f.case(code);
        std::fs::remove_file(&f.db).unwrap();
        id
    }

    /// `who` decrypts `file`, appends `events` in one commit they sign themselves (claiming
    /// `at`), and encrypts it again to every member, as a member can without casebook.
    pub fn forge(&self, file: &Path, who: &str, at: &str, events: &[Forged<'_>]) {
        let mut forgery = Forgery::open(self.key(who), file);
        forgery.commit(who, self.key(who), at, events);
        forgery.seal(&self.publics());
    }
}
