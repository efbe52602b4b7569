// figment::Jail's closures return figment's (large) error: its API, not ours.
#![allow(clippy::result_large_err)]

use super::*;

#[test]
fn defaults_derive_the_database_and_public_url() {
    let mut c = Config::default();
    c.fill_derived();
    assert_eq!(c.database_url, "sqlite://data/casia.db?mode=rwc");
    assert_eq!(c.public_url, "http://127.0.0.1:3000");
    assert!(c.smtp.is_none());
}

#[test]
fn file_then_environment_override_defaults() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("casia.toml", "listen = \"0.0.0.0:8080\"\n[session]\nidle_minutes = 5\n[smtp]\nhost = \"mail\"\nport = 25\n")?;
        jail.set_env("CASIA_SESSION__IDLE_MINUTES", "7");
        jail.set_env("CASIA_PUBLIC_URL", "https://casia.example.es/");
        let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
        assert_eq!(c.listen, "0.0.0.0:8080");
        assert_eq!(c.session.idle_minutes, 7);
        assert_eq!(c.session.absolute_hours, 12);
        assert_eq!(
            c.auth.staff_mfa,
            StaffMfa::Required,
            "staff need a second factor unless told otherwise"
        );
        assert_eq!(c.public_url, "https://casia.example.es");
        assert!(c.uses_https());
        let smtp = c.smtp.unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.tls.as_str()),
            ("mail", 25, "starttls")
        );
        Ok(())
    });
}

#[test]
fn trusted_proxies_come_as_a_list_or_a_comma_separated_string() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "casia.toml",
            "[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
        )?;
        let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
        assert!(c.http.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
        assert!(c.http.trusted_proxies.contains("::1".parse().unwrap()));
        assert!(
            !c.http
                .trusted_proxies
                .contains("192.168.0.1".parse().unwrap())
        );
        jail.set_env("CASIA_HTTP__TRUSTED_PROXIES", "192.168.0.1, fd00::/8");
        let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
        assert!(
            c.http
                .trusted_proxies
                .contains("192.168.0.1".parse().unwrap())
        );
        assert!(
            c.http
                .trusted_proxies
                .contains("::ffff:192.168.0.1".parse().unwrap()),
            "IPv4-mapped IPv6 is the IPv4 address"
        );
        assert!(c.http.trusted_proxies.contains("fd12::7".parse().unwrap()));
        assert!(
            !c.http.trusted_proxies.contains("10.1.2.3".parse().unwrap()),
            "the environment replaces the file"
        );
        jail.set_env("CASIA_HTTP__TRUSTED_PROXIES", "10.0.0.300");
        let e = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap_err();
        assert!(e.to_string().contains("10.0.0.300"), "{e}");
        Ok(())
    });
}

#[test]
fn storage_logs_and_metrics_come_from_the_environment() {
    figment::Jail::expect_with(|jail| {
        let c = Config::load(None).unwrap();
        assert_eq!(
            c.storage.backend,
            StorageBackend::Local,
            "local files by default"
        );
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(c.metrics.listen.is_empty(), "no metrics unless asked for");
        assert_eq!(c.http.shutdown_grace_seconds, 30);
        jail.set_env("CASIA_STORAGE__BACKEND", "s3");
        jail.set_env("CASIA_STORAGE__BUCKET", "casia-docs");
        jail.set_env("CASIA_STORAGE__ENDPOINT", "http://minio:9000");
        jail.set_env("CASIA_STORAGE__PATH_STYLE", "true");
        jail.set_env("CASIA_LOG_FORMAT", "json");
        jail.set_env("CASIA_METRICS__LISTEN", "10.0.0.5:9464");
        jail.set_env("CASIA_HTTP__SHUTDOWN_GRACE_SECONDS", "5");
        let c = Config::load(None).unwrap();
        assert_eq!(c.storage.backend, StorageBackend::S3);
        assert_eq!(c.storage.bucket, "casia-docs");
        assert_eq!(c.storage.endpoint, "http://minio:9000");
        assert!(c.storage.path_style);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.metrics.listen, "10.0.0.5:9464");
        assert_eq!(c.http.shutdown_grace_seconds, 5);
        jail.set_env("CASIA_STORAGE__BACKEND", "ftp");
        assert!(
            Config::load(None).is_err(),
            "an unknown backend is an error"
        );
        Ok(())
    });
}

#[test]
fn no_proxy_is_trusted_by_default_and_timeouts_are_set() {
    let c = Config::default();
    assert!(c.http.trusted_proxies.is_empty());
    assert_eq!(c.http.header_read_timeout_seconds, 10);
    assert!(!c.uses_https());
}

#[test]
fn staff_mfa_is_set_from_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("CASIA_AUTH__STAFF_MFA", "optional");
        assert_eq!(
            Config::load(None).unwrap().auth.staff_mfa,
            StaffMfa::Optional
        );
        jail.set_env("CASIA_AUTH__STAFF_MFA", "sometimes");
        assert!(
            Config::load(None).is_err(),
            "an unknown value is an error, not a silent default"
        );
        Ok(())
    });
}
