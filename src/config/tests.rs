// figment::Jail closures return figment::Error, which is large; fine in tests.
#![allow(clippy::result_large_err)]

use super::*;
use chrono::{TimeZone, Utc};
use figment::Jail;

fn load_in(jail: &Jail, file: Option<&str>, overrides: &Overrides) -> Result<Settings> {
    let path = file.map(|f| jail.directory().join(f));
    Settings::load(path.as_deref(), overrides)
}

#[test]
fn defaults_use_the_embedded_sqlite_database() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.database.url, "sqlite://mita.db?mode=rwc");
        assert_eq!(s.server.bind, "127.0.0.1:8000");
        assert_eq!(s.limits.body_bytes, 2 * 1024 * 1024);
        assert_eq!(s.database.synchronous, Synchronous::Full);
        Ok(())
    });
}

#[test]
fn file_is_overridden_by_env_which_is_overridden_by_flags() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "mita.toml",
            "[server]\nbind = \"0.0.0.0:1\"\nshutdown_timeout_secs = 5\n[database]\nurl = \"sqlite://file.db\"\n[log]\nformat = \"json\"\n",
        )?;
        // file only
        let s =
            load_in(jail, Some("mita.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.server.bind, "0.0.0.0:1");
        assert_eq!(s.database.url, "sqlite://file.db");
        assert_eq!(s.log.format, LogFormat::Json);

        // env beats file
        jail.set_env("MITA_SERVER__BIND", "0.0.0.0:2");
        jail.set_env("DATABASE_URL", "sqlite://env.db");
        let s =
            load_in(jail, Some("mita.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.server.bind, "0.0.0.0:2");
        assert_eq!(s.database.url, "sqlite://env.db");
        assert_eq!(
            s.server.shutdown_timeout_secs, 5,
            "untouched file values stay"
        );

        // MITA_ form beats the conventional name
        jail.set_env("MITA_DATABASE__URL", "sqlite://mita-env.db");
        let s =
            load_in(jail, Some("mita.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.database.url, "sqlite://mita-env.db");

        // flags beat env
        let flags = Overrides {
            bind: Some("0.0.0.0:3".into()),
            database_url: Some("sqlite://flag.db".into()),
            log_format: Some(LogFormat::Pretty),
            ..Overrides::default()
        };
        let s = load_in(jail, Some("mita.toml"), &flags).map_err(|e| e.to_string())?;
        assert_eq!(s.server.bind, "0.0.0.0:3");
        assert_eq!(s.database.url, "sqlite://flag.db");
        assert_eq!(s.log.format, LogFormat::Pretty);
        Ok(())
    });
}

#[test]
fn production_requires_a_long_jwt_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("MITA_ENV", "production");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert!(
            s.auth.jwt_secret.is_none(),
            "loading works: only serving needs the secret"
        );
        let err = s.check_serving_secret().unwrap_err().to_string();
        assert!(err.contains("JWT_SECRET must be set"), "{err}");

        jail.set_env("JWT_SECRET", "too-short");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        let err = s.check_serving_secret().unwrap_err().to_string();
        assert!(err.contains("at least 32 bytes"), "{err}");
        assert!(
            !err.contains("too-short"),
            "the secret itself is never echoed: {err}"
        );

        jail.set_env("JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        let err = s.check_serving_secret().unwrap_err().to_string();
        assert!(err.contains("MITA_AUTH__TOTP_KEY"), "{err}");

        jail.set_env("MITA_AUTH__TOTP_KEY", "not a key");
        let err = load_in(jail, None, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("auth.totp_key must be 32 random bytes"),
            "{err}"
        );
        assert!(!err.contains("not a key"), "the key is never echoed: {err}");

        jail.set_env("MITA_AUTH__TOTP_KEY", "ab".repeat(32));
        let mut s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.env, Environment::Production);
        s.check_serving_secret().map_err(|e| e.to_string())?;
        assert_eq!(
            s.ensure_totp_key().map_err(|e| e.to_string())?,
            None,
            "a configured key writes no file"
        );
        assert_eq!(
            s.ensure_jwt_secret().map_err(|e| e.to_string())?,
            None,
            "a configured secret writes no file"
        );
        Ok(())
    });
}

#[test]
fn development_secret_is_generated_once_and_kept_beside_the_database() {
    Jail::expect_with(|jail| {
        jail.set_env("DATABASE_URL", "sqlite://data/app.db?mode=rwc");
        let mut first = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        let path = first
            .ensure_jwt_secret()
            .map_err(|e| e.to_string())?
            .expect("a file is used");
        assert_eq!(path, PathBuf::from("data/app.db.jwt-secret"));
        let mut second = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        second.ensure_jwt_secret().map_err(|e| e.to_string())?;
        let (a, b) = (
            first.auth.jwt_secret.unwrap(),
            second.auth.jwt_secret.unwrap(),
        );
        assert_eq!(a, b, "a restart reuses the stored secret");
        assert!(a.expose().len() >= MIN_SECRET_BYTES);
        Ok(())
    });
}

#[test]
fn secrets_are_redacted_in_debug_and_show() {
    Jail::expect_with(|jail| {
        jail.set_env("JWT_SECRET", "super-secret-value-0123456789abcdef");
        jail.set_env("METRICS_TOKEN", "metrics-secret");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(
            s.metrics.token.as_ref().map(Secret::expose),
            Some("metrics-secret")
        );
        let shown = s.to_redacted_toml().map_err(|e| e.to_string())?;
        let debug = format!("{s:?}");
        for text in [&shown, &debug] {
            assert!(
                !text.contains("super-secret") && !text.contains("metrics-secret"),
                "{text}"
            );
            assert!(text.contains("[redacted]"));
        }
        Ok(())
    });
}

#[test]
fn trusted_proxies_accept_a_comma_separated_env_value() {
    Jail::expect_with(|jail| {
        jail.set_env("MITA_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1/32");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(
            s.trusted_proxies,
            vec!["10.0.0.0/8".to_string(), "192.168.1.1/32".to_string()]
        );
        Ok(())
    });
}

#[test]
fn a_named_config_file_must_exist() {
    Jail::expect_with(|jail| {
        let err = load_in(jail, Some("missing.toml"), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
        Ok(())
    });
}

#[test]
fn a_bad_value_names_the_key() {
    Jail::expect_with(|jail| {
        jail.set_env("MITA_SERVER__SHUTDOWN_TIMEOUT_SECS", "soon");
        let err = load_in(jail, None, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.to_lowercase().contains("shutdown_timeout_secs"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn the_example_file_parses_into_settings() {
    Jail::expect_with(|jail| {
        jail.create_file("example.toml", EXAMPLE_TOML)?;
        load_in(jail, Some("example.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
        Ok(())
    });
}

#[test]
fn llm_settings_come_from_the_flat_mita_llm_variables_and_stay_redacted() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert!(s.llm.base_url.is_none(), "off by default");
        assert_eq!(s.llm.timeout_ms, 5_000);

        jail.set_env("MITA_LLM_BASE_URL", "http://127.0.0.1:9/v1");
        jail.set_env("MITA_LLM_API_KEY", "sk-llm-secret");
        jail.set_env("MITA_LLM_MODEL", "tiny-model");
        jail.set_env("MITA_LLM__TIMEOUT_MS", "1500");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.llm.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        assert_eq!(
            s.llm.api_key.as_ref().map(Secret::expose),
            Some("sk-llm-secret")
        );
        assert_eq!(s.llm.model, "tiny-model");
        assert_eq!(s.llm.timeout_ms, 1500);
        let shown = s.to_redacted_toml().map_err(|e| e.to_string())?;
        assert!(!shown.contains("sk-llm-secret"), "{shown}");
        assert!(!format!("{s:?}").contains("sk-llm-secret"));

        // The nested form wins over the flat one.
        jail.set_env("MITA_LLM__MODEL", "nested-model");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.llm.model, "nested-model");
        Ok(())
    });
}

#[test]
fn database_passwords_are_redacted_in_debug_and_show() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "DATABASE_URL",
            "postgres://mita:hunter2-db@db.internal:5432/mita?sslmode=require",
        );
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(
            &*s.database.url, "postgres://mita:hunter2-db@db.internal:5432/mita?sslmode=require",
            "the connection still gets the password"
        );
        let shown = s.to_redacted_toml().map_err(|e| e.to_string())?;
        let debug = format!("{s:?}");
        for text in [&shown, &debug] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(
                text.contains("postgres://mita:[redacted]@db.internal:5432/mita?sslmode=require"),
                "{text}"
            );
        }
        Ok(())
    });
}

#[test]
fn urls_lose_their_passwords_and_nothing_else() {
    use crate::config::redact_url;
    assert_eq!(
        redact_url("postgres://u:p%40ss@h/db"),
        "postgres://u:[redacted]@h/db"
    );
    assert_eq!(
        redact_url("postgresql://u@h:5432/db?user=x&password=s3cret&sslmode=require"),
        "postgresql://u@h:5432/db?user=x&password=[redacted]&sslmode=require"
    );
    assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    assert_eq!(
        redact_url("sqlite://mita.db?mode=rwc"),
        "sqlite://mita.db?mode=rwc"
    );
    assert_eq!(
        redact_url("postgres://a:b@c@d/e"),
        "postgres://a:[redacted]@d/e"
    );
}

#[test]
fn production_refuses_plaintext_postgres_to_another_host_unless_told() {
    let prod = |url: &str, allow: bool| {
        let mut s = Settings {
            env: Environment::Production,
            ..Default::default()
        };
        s.database.url = url.into();
        s.database.allow_plaintext = allow;
        s.validate().map(|_| ()).map_err(|e| e.to_string())
    };
    for refused in [
        "postgres://u:p@db.internal/mita",
        "postgres://u:p@db.internal/mita?sslmode=prefer",
        "postgresql://u@10.0.0.5:5432/mita?sslmode=disable",
        "postgres://u@[2001:db8::5]/mita",
        "postgres:///mita?host=db.internal",
    ] {
        let err = prod(refused, false).unwrap_err();
        assert!(
            err.contains("sslmode") && !err.contains("p@"),
            "{refused}: {err}"
        );
    }
    for allowed in [
        "postgres://u:p@db.internal/mita?sslmode=require",
        "postgres://u:p@db.internal/mita?sslmode=verify-full&sslrootcert=/ca.pem",
        "postgres://u:p@127.0.0.1/mita",
        "postgres://u:p@localhost:5432/mita",
        "postgres://u@[::1]/mita",
        "postgres:///mita?host=/var/run/postgresql",
        "sqlite://mita.db?mode=rwc",
    ] {
        assert_eq!(prod(allowed, false), Ok(()), "{allowed}");
    }
    assert_eq!(prod("postgres://u:p@db.internal/mita", true), Ok(()));
    let mut dev = Settings::default();
    dev.database.url = "postgres://u:p@db.internal/mita".into();
    assert!(dev.validate().is_ok(), "development is not checked");
}

#[test]
fn clock_start_moves_the_clock_and_is_refused_in_production_or_unparsed() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        let real = Utc::now().timestamp_millis();
        assert!(
            (s.clock().unwrap().now_ms() - real).abs() < 60_000,
            "unset: the real clock"
        );

        jail.set_env("MITA_CLOCK_START", "2026-11-15T12:00:00Z");
        let s = load_in(jail, None, &Overrides::default()).map_err(|e| e.to_string())?;
        let start = Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap();
        let now = s.clock().unwrap().now_ms();
        assert!((now - start.timestamp_millis()).abs() < 60_000, "{now}");

        jail.set_env("MITA_CLOCK_START", "15/11/2026");
        let err = load_in(jail, None, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("RFC 3339"), "{err}");

        jail.set_env("MITA_CLOCK_START", "2026-11-15T12:00:00Z");
        jail.set_env("MITA_ENV", "production");
        let err = load_in(jail, None, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot be set when MITA_ENV=production"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn a_direct_url_is_only_for_postgres_and_follows_the_tls_rule() {
    let check = |env: Environment, url: &str, direct: &str| {
        let mut s = Settings {
            env,
            ..Default::default()
        };
        s.database.url = url.into();
        s.database.direct_url = Some(direct.into());
        s.validate().map(|_| ()).map_err(|e| e.to_string())
    };
    let pooler = "postgres://u:p@127.0.0.1:6432/mita";
    let direct = "postgres://u:p@127.0.0.1:5432/mita";
    assert_eq!(check(Environment::Development, pooler, direct), Ok(()));
    for (url, direct) in [
        ("sqlite://mita.db?mode=rwc", direct),
        (pooler, "sqlite://mita.db?mode=rwc"),
    ] {
        let err = check(Environment::Development, url, direct).unwrap_err();
        assert!(err.contains("database.direct_url"), "{err}");
    }
    // In production the direct address to another host must ask for TLS, like `url`.
    let err = check(
        Environment::Production,
        pooler,
        "postgres://u:p@db.internal/mita",
    )
    .unwrap_err();
    assert!(err.contains("sslmode") && !err.contains("u:p@"), "{err}");
    let mut s = Settings::default();
    s.database.url = pooler.into();
    assert_eq!(s.database.direct_or_url(), pooler);
    s.database.direct_url = Some(direct.into());
    assert_eq!(s.database.direct_or_url(), direct);
}
