//! `[notifications]`: settings of the notifications the server raises itself.

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::Money;

/// Default large-spend threshold: 200.00.
pub const DEFAULT_LARGE_SPEND_CENTS: i64 = 20_000;

/// Notifications the server raises on events (large spends, red days, goal milestones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    /// A spend of at least this amount raises a "large purchase" notification (when the user's
    /// `transaction_alerts` is on). Written as text (`"200.00"`) or a number; at least 0.01.
    #[serde(serialize_with = "as_text", deserialize_with = "amount")]
    pub large_spend: Money,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            large_spend: Money::from_cents(DEFAULT_LARGE_SPEND_CENTS),
        }
    }
}

fn as_text<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount with at most two decimals, e.g. \"200.00\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse(v).map_err(|e| E::custom(format!("notifications.large_spend {e}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        // f64-ok: a configured value (TOML float or environment text parsed by figment) is read
        // back through its shortest decimal form, which is exact for two-decimal amounts; no
        // arithmetic happens on the float.
        if !v.is_finite() {
            return Err(E::custom("notifications.large_spend must be a number"));
        }
        self.visit_str(&format!("{v}"))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Money, A::Error> {
        Money::deserialize(MapAccessDeserializer::new(map))
    }
}

fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    let m = d.deserialize_any(AmountVisitor)?;
    if m.cents() < 1 {
        return Err(de::Error::custom(
            "notifications.large_spend must be at least 0.01",
        ));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    // figment::Jail closures return figment::Error, which is large; fine in tests.
    #![allow(clippy::result_large_err)]

    use figment::Jail;

    use super::*;
    use crate::config::{EXAMPLE_TOML, Overrides, Settings};

    fn load(jail: &Jail, file: Option<&str>) -> crate::Result<Settings> {
        let path = file.map(|f| jail.directory().join(f));
        Settings::load(path.as_deref(), &Overrides::default())
    }

    #[test]
    fn the_example_file_sets_the_default_large_spend_threshold() {
        Jail::expect_with(|jail| {
            jail.create_file("example.toml", EXAMPLE_TOML)?;
            let s = load(jail, Some("example.toml")).map_err(|e| e.to_string())?;
            assert_eq!(s.notifications.large_spend, Money::from_cents(20_000));
            assert_eq!(
                load(jail, None).map_err(|e| e.to_string())?.notifications,
                NotificationSettings::default()
            );
            Ok(())
        });
    }

    #[test]
    fn the_threshold_is_read_from_text_numbers_and_the_environment() {
        Jail::expect_with(|jail| {
            jail.create_file("a.toml", "[notifications]\nlarge_spend = 150\n")?;
            assert_eq!(
                load(jail, Some("a.toml"))
                    .map_err(|e| e.to_string())?
                    .notifications
                    .large_spend
                    .cents(),
                15_000
            );
            jail.create_file("b.toml", "[notifications]\nlarge_spend = 99.95\n")?;
            assert_eq!(
                load(jail, Some("b.toml"))
                    .map_err(|e| e.to_string())?
                    .notifications
                    .large_spend
                    .cents(),
                9_995
            );
            jail.set_env("MITA_NOTIFICATIONS__LARGE_SPEND", "150.5");
            assert_eq!(
                load(jail, None)
                    .map_err(|e| e.to_string())?
                    .notifications
                    .large_spend
                    .cents(),
                15_050
            );
            Ok(())
        });
    }

    #[test]
    fn bad_thresholds_stop_startup() {
        Jail::expect_with(|jail| {
            for (name, text) in [
                ("a.toml", "\"0\""),
                ("b.toml", "\"1.234\""),
                ("c.toml", "\"lots\""),
                ("d.toml", "-5"),
            ] {
                jail.create_file(name, &format!("[notifications]\nlarge_spend = {text}\n"))?;
                assert!(load(jail, Some(name)).is_err(), "{text}");
            }
            Ok(())
        });
    }

    #[test]
    fn the_effective_settings_print_the_threshold_as_text() {
        let text = toml::to_string(&NotificationSettings::default()).unwrap_or_default();
        assert_eq!(text.trim(), "large_spend = \"200.00\"");
    }
}
