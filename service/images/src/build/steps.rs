//! FROM and the instructions that only change the image config (ENV, LABEL, CMD, …).

use std::collections::BTreeMap;

use imaged_build::dockerfile::{self, Instruction};
use imaged_core::Reference;

use super::{Builder, Stage, StageState, invalid, stage_name};
use crate::{
    Change, ContainerConfigDoc, EngineError, HealthcheckDoc, ImageConfigDoc, PullOptions, changes::port,
    config::format_time, now_nanos,
};

/// A config change that is not a `Change` (ENTRYPOINT's CMD reset, HEALTHCHECK, SHELL, MAINTAINER).
type ConfigEdit = Box<dyn FnOnce(&mut ImageConfigDoc)>;

/// Go's `time.ParseDuration` for the forms Dockerfiles use (`30s`, `1m30s`, `500ms`, `1h`); nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * unit;
        rest = &rest[u..];
    }
    Some(total as i64)
}

impl Builder<'_> {
    /// The command of CMD/ENTRYPOINT/RUN/HEALTHCHECK: exec form as is, shell form through SHELL.
    pub fn command(&self, ins: &Instruction, text: &str) -> Vec<String> {
        if let Some(json) = &ins.json {
            return json.clone();
        }
        let mut shell = self
            .stages
            .last()
            .and_then(|s| s.state.config.config.as_ref())
            .and_then(|c| c.shell.clone())
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
        shell.push(text.to_owned());
        shell
    }

    pub(super) fn from(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        let words = self.lexer_words(&ins.args, true)?;
        let base = words.first().cloned().ok_or_else(|| invalid(ins, "FROM requires an image"))?;
        let name = stage_name(ins);
        if words.len() != 1 && name.is_none() {
            return Err(invalid(ins, "FROM requires either one or three arguments: FROM image [AS name]"));
        }
        let platform = match ins.flag("platform") {
            Some(p) => imaged_core::Platform::parse(&self.lexer_words(p, true)?.join(""))?,
            None => self.platform.clone(),
        };
        let existing = self.stages.iter().find(|s| s.name.as_deref() == Some(base.to_lowercase().as_str())).cloned();
        let (state, key) = if let Some(s) = existing {
            (s.state, s.key)
        } else if base.eq_ignore_ascii_case("scratch") {
            let config = ImageConfigDoc {
                architecture: platform.architecture.clone(),
                os: platform.os.clone(),
                variant: platform.variant.clone(),
                config: Some(ContainerConfigDoc {
                    env: Some(vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()]),
                    ..Default::default()
                }),
                ..Default::default()
            };
            (StageState { config, layers: vec![] }, imaged_core::Digest::of(b"scratch").hex().to_owned())
        } else {
            let (record, config) = self.base_image(&base, &platform)?;
            (StageState { config, layers: record.layers }, record.id.hex().to_owned())
        };
        let triggers = state.config.config.as_ref().and_then(|c| c.on_build.clone()).unwrap_or_default();
        let mut state = state;
        if let Some(c) = state.config.config.as_mut() {
            c.on_build = None;
        }
        self.stages.push(Stage { name, state, key, args: BTreeMap::new(), cmd_set: false });
        for t in triggers {
            self.log(format!("# Executing ONBUILD trigger: {t}"));
            let df = dockerfile::parse(&format!("FROM scratch\n{t}\n"))?;
            let trigger = df.instructions.into_iter().nth(1).expect("one trigger");
            self.step(&trigger)?;
        }
        Ok(true)
    }

    /// A FROM (or `COPY --from`) image: local unless `--pull`, pulled when missing; returned with its config
    /// and with its blobs under the build's lease. A prune racing with us can remove the image between
    /// finding it and holding it: then it is looked up (or pulled) again.
    pub(super) fn base_image(
        &mut self,
        name: &str,
        platform: &imaged_core::Platform,
    ) -> Result<(imaged_index::ImageRecord, ImageConfigDoc), EngineError> {
        let mut pull = self.opts.pull;
        for _ in 0..5 {
            let record = match (pull, self.engine.resolve_text(self.ns, name)) {
                (false, Ok(r)) => r.record,
                (false, Err(EngineError::ImageNotFound(_))) | (true, _) => {
                    pull = false;
                    let reference = Reference::parse_docker(name).map_err(|e| EngineError::reference(name, e))?;
                    self.log(format!("Pulling {}", reference.familiar()));
                    let opts = PullOptions { platforms: vec![platform.clone()], ..Default::default() };
                    let pulled = tokio::runtime::Handle::current()
                        .block_on(self.engine.transfers().pull(self.ns, &reference, opts, None))?;
                    let Some(id) = pulled.first().map(|p| p.image_id.clone()) else { continue };
                    match self.engine.index().get_image(self.ns, &id)? {
                        Some(r) => r,
                        None => continue,
                    }
                }
                (false, Err(e)) => return Err(e),
            };
            let Ok(config) = self.engine.config_blocking(&record.id) else { continue };
            let mut held = record.layers.clone();
            held.push(imaged_index::LayerRecord {
                media_type: String::new(),
                digest: record.config.digest.clone(),
                size: record.config.size,
                diff_id: record.config.digest.clone(),
            });
            if self.hold(&held) {
                return Ok((record, config));
            }
        }
        Err(EngineError::ImageNotFound(name.to_owned()))
    }

    fn key_values(&self, ins: &Instruction, legacy: bool) -> Result<Vec<(String, String)>, EngineError> {
        let words = self.lexer_words(&ins.args, false)?;
        if words.is_empty() {
            return Err(invalid(ins, format!("{} requires at least one argument", ins.keyword)));
        }
        if !words[0].contains('=') {
            if !legacy || words.len() < 2 {
                return Err(invalid(ins, format!("{} names must be followed by =value", ins.keyword)));
            }
            // Legacy `ENV key value with spaces`: the rest of the line, expanded, is the value.
            let (k, v) = ins.args.trim().split_once(char::is_whitespace).expect("two words");
            return Ok(vec![(self.lexer_word(k)?, self.lexer_word(v.trim())?)]);
        }
        words
            .into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
                _ => Err(invalid(ins, format!("{w:?} is not key=value"))),
            })
            .collect()
    }

    fn healthcheck(&self, ins: &Instruction) -> Result<HealthcheckDoc, EngineError> {
        let rest = ins.args.trim();
        if rest.eq_ignore_ascii_case("none") {
            return Ok(HealthcheckDoc { test: Some(vec!["NONE".into()]), ..Default::default() });
        }
        let (kw, cmd) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if !kw.eq_ignore_ascii_case("cmd") || cmd.trim().is_empty() {
            return Err(invalid(ins, "HEALTHCHECK takes NONE or [OPTIONS] CMD command"));
        }
        let cmd = cmd.trim();
        let test = match serde_json::from_str::<Vec<String>>(cmd) {
            Ok(v) if cmd.starts_with('[') => std::iter::once("CMD".to_owned()).chain(v).collect(),
            _ => vec!["CMD-SHELL".into(), cmd.to_owned()],
        };
        let dur = |name: &str| -> Result<Option<i64>, EngineError> {
            ins.flag(name)
                .map(|v| parse_duration(v).ok_or_else(|| invalid(ins, format!("invalid --{name} duration {v:?}"))))
                .transpose()
        };
        for (n, _) in &ins.flags {
            if !matches!(n.as_str(), "interval" | "timeout" | "start-period" | "start-interval" | "retries") {
                return Err(invalid(ins, format!("unknown flag: --{n}")));
            }
        }
        let retries = ins
            .flag("retries")
            .map(|r| r.parse::<i32>().map_err(|_| invalid(ins, format!("invalid --retries {r:?}"))))
            .transpose()?;
        Ok(HealthcheckDoc {
            test: Some(test),
            interval: dur("interval")?,
            timeout: dur("timeout")?,
            start_period: dur("start-period")?,
            retries,
        })
    }

    /// ENV, LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME, USER, STOPSIGNAL, HEALTHCHECK, ONBUILD, SHELL,
    /// MAINTAINER: a config change and an empty-layer history entry.
    pub(super) fn metadata_step(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        let mut changes: Vec<Change> = Vec::new();
        let mut special: Option<ConfigEdit> = None;
        let kw = ins.keyword.as_str();
        match kw {
            "ENV" => changes.push(Change::Env(self.key_values(ins, true)?)),
            "LABEL" => changes.push(Change::Label(self.key_values(ins, false)?)),
            "CMD" => {
                changes.push(Change::Cmd(self.command(ins, ins.args.trim())));
                self.stages.last_mut().expect("a stage").cmd_set = true;
            }
            "ENTRYPOINT" => {
                let ep = self.command(ins, ins.args.trim());
                let keep_cmd = self.stages.last().expect("a stage").cmd_set;
                let cmd = self.stages.last().and_then(|s| s.state.config.config.as_ref()).and_then(|c| c.cmd.clone());
                special = Some(Box::new(move |c: &mut ImageConfigDoc| {
                    let cc = c.config.get_or_insert_with(Default::default);
                    cc.entrypoint = Some(ep);
                    cc.cmd = if keep_cmd { cmd } else { None };
                }));
            }
            "EXPOSE" => {
                let mut ports = Vec::new();
                for w in self.lexer_words(&ins.args, false)? {
                    ports.extend(port(&ins.original, &w)?);
                }
                changes.push(Change::Expose(ports));
            }
            "VOLUME" => {
                let vols = match &ins.json {
                    Some(v) => v.clone(),
                    None => self.lexer_words(&ins.args, false)?,
                };
                if vols.iter().any(|v| v.trim().is_empty()) {
                    return Err(invalid(ins, "VOLUME specified can not be an empty string"));
                }
                changes.push(Change::Volume(vols));
            }
            "USER" => changes.push(Change::User(self.lexer_word(ins.args.trim())?)),
            "STOPSIGNAL" => changes.push(Change::StopSignal(self.lexer_word(ins.args.trim())?)),
            "ONBUILD" => changes.push(Change::OnBuild(ins.args.trim().to_owned())),
            "HEALTHCHECK" => {
                let hc = self.healthcheck(ins)?;
                special = Some(Box::new(move |c: &mut ImageConfigDoc| {
                    c.config.get_or_insert_with(Default::default).healthcheck = Some(hc);
                }));
            }
            "SHELL" => {
                let shell = ins
                    .json
                    .clone()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| invalid(ins, "SHELL requires the arguments to be in JSON form"))?;
                special = Some(Box::new(move |c: &mut ImageConfigDoc| {
                    c.config.get_or_insert_with(Default::default).shell = Some(shell);
                }));
            }
            "MAINTAINER" => {
                let who = self.lexer_word(ins.args.trim())?;
                special = Some(Box::new(move |c: &mut ImageConfigDoc| c.author = Some(who)));
            }
            other => return Err(invalid(ins, format!("unknown instruction: {other}"))),
        }
        let material =
            format!("{kw} {}", serde_json::to_string(&format!("{changes:?}")).unwrap_or_default()) + &ins.original;
        self.cached(&material, move |_, mut state| {
            let config = &mut state.config;
            {
                let cc = config.config.get_or_insert_with(Default::default);
                for c in &changes {
                    c.apply(cc);
                }
            }
            if let Some(f) = special {
                f(config);
            }
            config.created = Some(format_time(now_nanos()));
            config.history.push(Builder::history(ins, true));
            Ok(state)
        })
    }
}

/// `KEY=value` pairs as a map, for RUN environments.
pub(crate) fn env_map(env: &[String]) -> BTreeMap<String, String> {
    env.iter().filter_map(|e| e.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("5x"), None);
    }
}
