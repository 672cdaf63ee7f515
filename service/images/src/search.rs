//! Search. Registries without Docker Hub's `/v1/search` (CNCF distribution, Harbor's v2 API) are searched
//! by matching the term against `/v2/_catalog`; results carry no stars or descriptions then.
use imaged_core::{DEFAULT_DOMAIN, Namespace, domain_matches};
use imaged_registry::Credentials;

use crate::{EngineError, Transfers, blocking, filters::Filters};

/// How a registry was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSource {
    /// Docker Hub's `/v1/search` API.
    V1Search,
    /// A match over `/v2/_catalog`.
    Catalog,
}

impl SearchSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1Search => "v1-search",
            Self::Catalog => "catalog",
        }
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub name: String,
    pub description: String,
    pub stars: u32,
    pub official: bool,
    pub automated: bool,
}

impl Transfers {
    pub async fn search(
        &self,
        ns: &Namespace,
        term: &str,
        limit: usize,
        filters: Vec<(String, String)>,
        creds: Option<Credentials>,
    ) -> Result<(Vec<SearchHit>, SearchSource), EngineError> {
        let mut min_stars = 0u32;
        let mut official = None;
        for (k, v) in &filters {
            match k.as_str() {
                "stars" => {
                    min_stars = v
                        .parse()
                        .map_err(|_| EngineError::InvalidFilter(format!("{k}={v}"), "expected a number".into()))?
                }
                "is-official" => official = Some(v == "true"),
                "is-automated" => {}
                _ => {
                    Filters::parse(&[(k.clone(), v.clone())], &["stars", "is-official", "is-automated"]).map(|_| ())?
                }
            }
        }
        let (host, needle) = match term.split_once('/') {
            Some((h, rest)) if domain_matches(h) && (h.contains(['.', ':']) || h == "localhost") => {
                (h.to_owned(), rest.to_owned())
            }
            _ => (DEFAULT_DOMAIN.to_owned(), term.to_owned()),
        };
        let creds = match creds {
            Some(c) => Some(c),
            None => {
                let (this, ns2, h) = (self.clone(), ns.clone(), host.clone());
                blocking(move || this.stored_credentials(&ns2, &h)).await?
            }
        };
        let limit = if limit == 0 { 25 } else { limit };
        let keep = |h: &SearchHit| h.stars >= min_stars && official.is_none_or(|o| o == h.official);
        if let Some(results) = self.registry().v1_search(&host, &needle, limit).await? {
            let hits = results
                .iter()
                .map(|r| SearchHit {
                    name: r["name"].as_str().unwrap_or_default().to_owned(),
                    description: r["description"].as_str().unwrap_or_default().to_owned(),
                    stars: r["star_count"].as_u64().unwrap_or(0) as u32,
                    official: r["is_official"].as_bool().unwrap_or(false),
                    automated: r["is_automated"].as_bool().unwrap_or(false),
                })
                .filter(keep)
                .take(limit)
                .collect();
            return Ok((hits, SearchSource::V1Search));
        }
        let repos = self.registry().catalog(&host, creds.as_ref()).await?;
        let prefix = if host == DEFAULT_DOMAIN { String::new() } else { format!("{host}/") };
        let hits = repos
            .into_iter()
            .filter(|r| r.contains(&needle.to_lowercase()))
            .map(|r| SearchHit {
                name: format!("{prefix}{r}"),
                description: String::new(),
                stars: 0,
                official: false,
                automated: false,
            })
            .filter(keep)
            .take(limit)
            .collect();
        Ok((hits, SearchSource::Catalog))
    }
}
