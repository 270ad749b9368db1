//! Slugs as Django's `slugify` makes them: the rule behind Lizard's WMS layer
//! names, and a layer slug made unique within its organisation.

use super::snapshot::CatalogueData;
use uuid::Uuid;

/// Lower-cases, drops characters other than ASCII letters, digits, `_`, `-` and
/// whitespace, turns runs of whitespace and hyphens into one `-`, and trims `-`/`_`.
/// Non-ASCII letters lose their accents where that is simple (é → e).
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for ch in s.chars().flat_map(char::to_lowercase) {
        let ch = fold_accent(ch);
        if ch.is_ascii_alphanumeric() || ch == '_' {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_whitespace() || ch == '-' {
            pending_dash = true;
        }
    }
    out.trim_matches(|c| c == '-' || c == '_').to_string()
}

/// A new layer's slug: the slugified name (`raster` when that is empty),
/// with `-2`, `-3`, … appended until no other layer of `org` has it.
pub fn unique_layer_slug(data: &CatalogueData, org: Uuid, name: &str) -> String {
    let base = match slugify(name) {
        s if s.is_empty() => "raster".to_string(),
        s => s,
    };
    let taken = |s: &str| {
        data.layers
            .iter()
            .any(|l| l.organisation == org && l.slug == s)
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken(s))
        .unwrap_or(base)
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ÿ' | 'ý' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn django_rules() {
        assert_eq!(
            slugify("p_lochem_kwel_wegzijging_2050"),
            "p_lochem_kwel_wegzijging_2050"
        );
        assert_eq!(slugify("Nelen & Schuurmans"), "nelen-schuurmans");
        assert_eq!(slugify("  Hoogte  kaart (AHN4) "), "hoogte-kaart-ahn4");
        assert_eq!(slugify("Één -- twee"), "een-twee");
        assert_eq!(slugify("&&&"), "");
    }
}
