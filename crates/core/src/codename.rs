//! Human code names for cases, such as `amber-kettle`: easy to say on a call, and never
//! derived from a report's content, so a name reveals nothing about its case.

use rand::Rng;

const ADJECTIVES: [&str; 64] = [
    "amber", "ashen", "azure", "birch", "bronze", "cedar", "cobalt", "copper", "coral", "crimson",
    "dusky", "ember", "fern", "flint", "frosty", "gentle", "golden", "granite", "hazel", "hollow",
    "indigo", "ivory", "jade", "juniper", "lapis", "lemon", "linen", "lunar", "maple", "marble",
    "meadow", "misty", "mossy", "north", "ochre", "olive", "opal", "pearl", "pine", "plum",
    "quiet", "rapid", "rowan", "russet", "saffron", "sandy", "silver", "slate", "snowy", "solar",
    "spruce", "steady", "stone", "sunny", "swift", "tawny", "teal", "velvet", "violet", "willow",
    "windy", "winter", "woven", "zinc",
];

const NOUNS: [&str; 64] = [
    "anchor", "arbor", "badger", "basin", "beacon", "bridge", "brook", "candle", "canyon", "comet",
    "compass", "crane", "creek", "delta", "falcon", "feather", "fjord", "garden", "glacier",
    "harbor", "heron", "hollow", "island", "kettle", "lantern", "ledger", "lichen", "meadow",
    "mill", "mirror", "orchard", "otter", "quartz", "quill", "raven", "reef", "ridge", "river",
    "robin", "saddle", "shore", "signal", "sparrow", "spindle", "spring", "summit", "teapot",
    "thicket", "thistle", "timber", "tundra", "valley", "walnut", "warbler", "willow", "window",
    "wren", "yarrow", "acorn", "bramble", "cairn", "dune", "ember", "grove",
];

/// A fresh code name not in `taken`. Falls back to a numbered name when the word pairs run
/// out (after thousands of cases).
pub fn generate(rng: &mut impl Rng, taken: impl Fn(&str) -> bool) -> String {
    for _ in 0..64 {
        let name = format!(
            "{}-{}",
            ADJECTIVES[rng.gen_range(0..ADJECTIVES.len())],
            NOUNS[rng.gen_range(0..NOUNS.len())]
        );
        if !taken(&name) {
            return name;
        }
    }
    loop {
        let name = format!(
            "{}-{}-{}",
            ADJECTIVES[rng.gen_range(0..ADJECTIVES.len())],
            NOUNS[rng.gen_range(0..NOUNS.len())],
            rng.gen_range(2..10_000)
        );
        if !taken(&name) {
            return name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_even_when_the_pairs_run_out() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut names = HashSet::new();
        for _ in 0..6000 {
            let name = generate(&mut rng, |n| names.contains(n));
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
            );
            assert!(names.insert(name));
        }
    }
}
