//! An account as the clients see it: its `[platforms.<name>]` table, and strategy.toml's text
//! only to name lines in messages. The clients read nothing else of the strategy, so a client
//! can be built and tested from a plain configuration.

use crate::clients::api::Secret;
use crate::error::{Error, Result};
use crate::platform::PlatformId;
use crate::strategy::{PlatformConfig, Strategy};

/// One configured account.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    pub platform: PlatformId,
    pub config: &'a PlatformConfig,
    /// strategy.toml as written, for `strategy.toml:LINE:` in messages.
    source: &'a str,
}

impl<'a> Account<'a> {
    pub fn new(platform: PlatformId, config: &'a PlatformConfig, source: &'a str) -> Account<'a> {
        Account { platform, config, source }
    }

    /// The account strategy.toml configures for `platform`.
    pub fn of(strategy: &'a Strategy, platform: PlatformId) -> Result<Account<'a>> {
        let config = strategy.platforms.get(&platform).ok_or_else(|| {
            Error::Usage(format!(
                "strategy.toml: no enabled [platforms.{platform}] section: add one, or leave {} out of the post's platforms",
                platform.display_name()
            ))
        })?;
        Ok(Account::new(platform, config, &strategy.source))
    }

    fn line(&self, offset: usize) -> usize {
        crate::error::line_col(self.source, offset).0
    }

    /// Reads the secret the account needs from the environment variable named in `field`; the
    /// error names the platform, the field and the variable, never a value.
    pub fn secret(
        &self,
        field: &str,
        name: Option<&toml::Spanned<String>>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret> {
        let platform = self.platform;
        let Some(name) = name else {
            return Err(Error::Usage(format!(
                "strategy.toml: [platforms.{platform}] has no `{field}`: name the environment variable that holds the secret, e.g. {field} = \"BUDKAVLE_{}_{}\"",
                platform.name().to_uppercase(),
                field.trim_end_matches("_env").to_uppercase()
            )));
        };
        let line = self.line(name.span().start);
        match env(name.get_ref()) {
            Some(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim().to_string())),
            _ => Err(Error::Usage(format!(
                "strategy.toml:{line}: [platforms.{platform}] {field} names the environment variable {}, which is not set (or empty): set it in the CI environment's secrets",
                name.get_ref()
            ))),
        }
    }

    /// The base URL of the account's server (`instance`, `service`, `api_url`), without a
    /// trailing slash, checked to be an http(s) URL.
    pub fn base_url(
        &self,
        field: &str,
        value: Option<&toml::Spanned<String>>,
        default: Option<&str>,
    ) -> Result<String> {
        let platform = self.platform;
        let (url, line) = match value {
            Some(v) => (v.get_ref().as_str(), Some(self.line(v.span().start))),
            None => match default {
                Some(d) => (d, None),
                None => {
                    return Err(Error::Usage(format!(
                        "strategy.toml: [platforms.{platform}] has no `{field}`: give the server's address, e.g. {field} = \"https://example.social\""
                    )));
                }
            },
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            let at = line.map_or(String::new(), |l| format!(":{l}"));
            return Err(Error::Usage(format!(
                "strategy.toml{at}: [platforms.{platform}] {field} = \"{url}\" is not an http(s) address"
            )));
        }
        Ok(url.trim_end_matches('/').to_string())
    }
}
