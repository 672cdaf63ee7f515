//! Search. Registries without Docker Hub's `/v1/search` (CNCF distribution, Harbor's v2 API) are searched
//! by matching the term against `/v2/_catalog`; results carry no stars or descriptions then.
use imaged_core::{DEFAULT_DOMAIN, Namespace, domain_matches};
use imaged_registry::Credentials;

use crate::{Engine, EngineError, blocking, filters::Filters};

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub name: String,
    pub description: String,
    pub stars: u32,
    pub official: bool,
    pub automated: bool,
}

impl Engine {
    pub async fn search(
        &self,
        ns: &Namespace,
        term: &str,
        limit: usize,
        filters: Vec<(String, String)>,
        creds: Option<Credentials>,
    ) -> Result<Vec<SearchHit>, EngineError> {
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
            .filter(|h| h.stars >= min_stars && official.is_none_or(|o| o == h.official))
            .take(if limit == 0 { 25 } else { limit })
            .collect();
        Ok(hits)
    }
}
