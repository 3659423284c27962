//! The catalogue of bereavement services a key worker offers a family, by category (issue 16
//! §1): national defaults shipped in `support/national.toml`, which an area overrides in the
//! server's `--support-services` file. A contact records each service offered, accepted,
//! declined or referred to by its id; the name is kept with the record so that it stays
//! readable if the catalogue changes.

use crate::case::PresentingCategory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// The national defaults (sources in the file).
pub const NATIONAL_TOML: &str = include_str!("../support/national.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportService {
    /// Stable id recorded on contacts, e.g. `lullaby_trust`.
    pub id: String,
    pub name: String,
    /// Where the entry comes from, so an area can check it.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportCategory {
    pub id: String,
    pub title: String,
    /// Presenting categories for which this category is offered first; empty: every death.
    #[serde(default)]
    pub suggested_for: Vec<PresentingCategory>,
    /// An area's file may turn a national category off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    #[serde(default, rename = "service")]
    pub services: Vec<SupportService>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default, rename = "category")]
    pub categories: Vec<SupportCategory>,
}

/// The server's `--support-services` file: per-area changes to the national catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaCatalogues {
    #[serde(default)]
    pub area: BTreeMap<String, Catalogue>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("the support catalogue is not valid TOML: {0}")]
    Toml(String),
    #[error("service id {0:?} appears twice in one area's catalogue")]
    DuplicateService(String),
    #[error("service id {0:?} must be lower-case letters, digits and _")]
    BadId(String),
}

fn check(c: &Catalogue) -> Result<(), CatalogueError> {
    let mut seen = std::collections::BTreeSet::new();
    for s in c.categories.iter().flat_map(|c| &c.services) {
        let ok = !s.id.is_empty()
            && s.id.len() <= 64
            && s.id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !ok {
            return Err(CatalogueError::BadId(s.id.clone()));
        }
        if !seen.insert(s.id.clone()) {
            return Err(CatalogueError::DuplicateService(s.id.clone()));
        }
    }
    Ok(())
}

impl Catalogue {
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let c: Catalogue = toml::from_str(text).map_err(|e| CatalogueError::Toml(e.to_string()))?;
        check(&c)?;
        Ok(c)
    }

    /// The catalogue shipped with jarterm.
    pub fn national() -> &'static Catalogue {
        static NATIONAL: OnceLock<Catalogue> = OnceLock::new();
        NATIONAL.get_or_init(|| {
            Catalogue::from_toml(NATIONAL_TOML).expect("the shipped support catalogue is valid")
        })
    }

    /// This catalogue with an area's changes: a category with the same id replaces the
    /// national one (or removes it, `disabled = true`); new ids are added after.
    pub fn with_area(&self, area: Option<&Catalogue>) -> Catalogue {
        let Some(area) = area else {
            return self.clone();
        };
        let mut out: Vec<SupportCategory> = self
            .categories
            .iter()
            .map(|c| {
                area.categories
                    .iter()
                    .find(|a| a.id == c.id)
                    .unwrap_or(c)
                    .clone()
            })
            .collect();
        for a in &area.categories {
            if !self.categories.iter().any(|c| c.id == a.id) {
                out.push(a.clone());
            }
        }
        out.retain(|c| !c.disabled);
        Catalogue { categories: out }
    }

    /// The categories in the order the contact form offers them: those suggested for the
    /// case's presenting category first, then every-death ones, then the rest.
    pub fn for_category(&self, category: PresentingCategory) -> Catalogue {
        let rank = |c: &SupportCategory| {
            if c.suggested_for.contains(&category) {
                0
            } else if c.suggested_for.is_empty() {
                1
            } else {
                2
            }
        };
        let mut cats = self.categories.clone();
        cats.sort_by_key(rank);
        Catalogue { categories: cats }
    }

    /// Every service, in category order.
    pub fn services(&self) -> impl Iterator<Item = (&SupportCategory, &SupportService)> {
        self.categories
            .iter()
            .flat_map(|c| c.services.iter().map(move |s| (c, s)))
    }

    pub fn service(&self, id: &str) -> Option<&SupportService> {
        self.services().map(|(_, s)| s).find(|s| s.id == id)
    }
}

impl AreaCatalogues {
    pub fn from_toml(text: &str) -> Result<AreaCatalogues, CatalogueError> {
        let a: AreaCatalogues =
            toml::from_str(text).map_err(|e| CatalogueError::Toml(e.to_string()))?;
        for c in a.area.values() {
            check(&Catalogue::national().with_area(Some(c)))?;
        }
        Ok(a)
    }

    /// The catalogue in force in `area`.
    pub fn for_area(&self, area: &str) -> Catalogue {
        Catalogue::national().with_area(self.area.get(area))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_catalogue_names_a_source_for_every_service() {
        let c = Catalogue::national();
        assert!(c.services().count() >= 10);
        for (_, s) in c.services() {
            assert!(!s.source.trim().is_empty(), "{} has no source", s.id);
        }
        assert!(c.service("coni").is_some(), "CONI is offered after SUDI");
        assert!(c.service("sasp").is_some(), "suicide-bereavement support");
        assert!(c.service("child_bereavement_uk").is_some(), "siblings");
    }

    #[test]
    fn a_sudi_case_is_offered_infant_death_services_first() {
        let c = Catalogue::national().for_category(PresentingCategory::Sudi);
        assert_eq!(c.categories[0].id, "infant_death");
        let c = Catalogue::national().for_category(PresentingCategory::SuspectedSuicide);
        assert_eq!(c.categories[0].id, "suicide");
    }

    #[test]
    fn an_area_replaces_adds_and_turns_off_categories() {
        let text = r#"
            [[area."North Wessex".category]]
            id = "all_bereaved_parents"
            title = "Bereaved parents"
            [[area."North Wessex".category.service]]
            id = "wessex_hospice_bereavement"
            name = "Wessex Children's Hospice bereavement team"
            source = "North Wessex CDOP directory (synthetic)"
            [[area."North Wessex".category]]
            id = "suicide"
            title = "Bereaved by suicide"
            disabled = true
        "#;
        let a = AreaCatalogues::from_toml(text).expect("valid");
        let c = a.for_area("North Wessex");
        assert!(c.service("wessex_hospice_bereavement").is_some());
        assert!(c.service("compassionate_friends").is_none(), "replaced");
        assert!(c.service("sasp").is_none(), "turned off");
        assert_eq!(a.for_area("Bristol"), *Catalogue::national());
    }

    #[test]
    fn a_catalogue_with_a_repeated_or_odd_id_is_refused() {
        let text = r#"
            [[area.X.category]]
            id = "extra"
            title = "Extra"
            [[area.X.category.service]]
            id = "coni"
            name = "again"
            source = "s"
        "#;
        assert_eq!(
            AreaCatalogues::from_toml(text),
            Err(CatalogueError::DuplicateService("coni".into()))
        );
        let text = text.replace("\"coni\"", "\"Bad Id\"");
        assert!(matches!(
            AreaCatalogues::from_toml(&text),
            Err(CatalogueError::BadId(_))
        ));
    }
}
