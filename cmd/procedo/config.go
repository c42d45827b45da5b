// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Config is procedo's configuration, read from PROCEDO_* variables; command
// flags override it. It is validated once at start-up and passed down as values.
type Config struct {
	DB            string // PROCEDO_DB: sqlite:PATH or postgres://…
	Blobs         string // PROCEDO_BLOBS: file:PATH or s3://…
	Addr          string // PROCEDO_ADDR: listen address
	BaseURL       string // PROCEDO_BASE_URL: public URL, used in e-mails; https enables Secure cookies
	SMTPURL       string // PROCEDO_SMTP_URL: smtp://host:port; empty keeps mail in the outbox
	MailFrom      string // PROCEDO_MAIL_FROM: sender address
	LogFormat     string // PROCEDO_LOG_FORMAT: json or text
	LogLevel      string // PROCEDO_LOG_LEVEL: debug, info, warn, error
	DefaultTenant string // PROCEDO_DEFAULT_TENANT: slug served for unknown hosts
	MaxUploadMB   int    // PROCEDO_MAX_UPLOAD_MB: size limit of one uploaded file
	Workers       int    // PROCEDO_WORKERS: background job workers
	DraftDays     int    // PROCEDO_DRAFT_DAYS: days an application draft is kept after its last save
	Demo          bool   // set by `procedo demo`
}

// DefaultConfig returns the embedded default: SQLite and files under ./data.
func DefaultConfig() Config {
	return Config{
		DB:          "sqlite:data/procedo.db",
		Blobs:       "file:data/blobs",
		Addr:        ":8080",
		BaseURL:     "http://localhost:8080",
		MailFrom:    "noreply@procedo.localhost",
		LogFormat:   "json",
		LogLevel:    "info",
		MaxUploadMB: 20,
		Workers:     2,
		DraftDays:   30,
	}
}

// FromEnv overrides c with the PROCEDO_* variables that are set.
func (c *Config) FromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	num := func(name string, dst *int) error {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s: not a number: %q", name, v)
			}
			*dst = n
		}
		return nil
	}
	str("PROCEDO_DB", &c.DB)
	str("PROCEDO_BLOBS", &c.Blobs)
	str("PROCEDO_ADDR", &c.Addr)
	str("PROCEDO_BASE_URL", &c.BaseURL)
	str("PROCEDO_SMTP_URL", &c.SMTPURL)
	str("PROCEDO_MAIL_FROM", &c.MailFrom)
	str("PROCEDO_LOG_FORMAT", &c.LogFormat)
	str("PROCEDO_LOG_LEVEL", &c.LogLevel)
	str("PROCEDO_DEFAULT_TENANT", &c.DefaultTenant)
	if err := num("PROCEDO_MAX_UPLOAD_MB", &c.MaxUploadMB); err != nil {
		return err
	}
	if err := num("PROCEDO_DRAFT_DAYS", &c.DraftDays); err != nil {
		return err
	}
	return num("PROCEDO_WORKERS", &c.Workers)
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []string
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, "PROCEDO_DB must be sqlite:PATH or a postgres:// URL")
	}
	if !strings.HasPrefix(c.Blobs, "file:") && !strings.HasPrefix(c.Blobs, "s3://") {
		errs = append(errs, "PROCEDO_BLOBS must be file:PATH or an s3:// URL")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, "PROCEDO_BASE_URL must be an http(s) URL such as https://servizi.comune.example.it")
	}
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") && !strings.HasPrefix(c.SMTPURL, "smtps://") {
		errs = append(errs, "PROCEDO_SMTP_URL must be smtp://host:port or smtps://host:port")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, "PROCEDO_LOG_FORMAT must be json or text")
	}
	if c.MaxUploadMB < 1 || c.MaxUploadMB > 1024 {
		errs = append(errs, "PROCEDO_MAX_UPLOAD_MB must be between 1 and 1024")
	}
	if c.DraftDays < 1 || c.DraftDays > 3650 {
		errs = append(errs, "PROCEDO_DRAFT_DAYS must be between 1 and 3650")
	}
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, "PROCEDO_WORKERS must be between 1 and 64")
	}
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

// SecureCookies reports whether cookies get the Secure flag (HTTPS base URL).
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func loadConfig() (Config, error) {
	c := DefaultConfig()
	err := c.FromEnv(os.Getenv)
	return c, err
}
