// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// parseFileURL returns the folder named by a file: URL: file:PATH (relative or
// absolute, as written) or file:///ABS/PATH.
func parseFileURL(u *url.URL) (string, error) {
	if u.User != nil {
		return "", configError("file URL must not contain credentials")
	}
	if u.Host != "" && u.Host != "localhost" {
		// file://data/blobs is a frequent slip for a relative path.
		return "", configError("file URL names host %q: write file:PATH for a relative folder or file:///ABS/PATH for an absolute one", u.Host)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", configError("file URL takes no query or fragment")
	}
	p := u.Path
	if u.Opaque != "" {
		var err error
		if p, err = url.PathUnescape(u.Opaque); err != nil {
			return "", configError("file URL path %q is badly escaped", u.Opaque)
		}
	}
	if p == "" {
		return "", configError("file URL has no path: write file:PATH or file:///ABS/PATH")
	}
	return filepath.Clean(filepath.FromSlash(p)), nil
}

// s3Config is a parsed s3:// URL.
type s3Config struct {
	Bucket       string
	Prefix       string // without leading or trailing "/"; "" for none
	Endpoint     string // HOST or HOST:PORT
	Region       string // "" lets the client ask the server
	Secure       bool   // HTTPS
	Lookup       minio.BucketLookupType
	CreateBucket bool
	AccessKey    string
	SecretKey    string // never printed
	SessionToken string // never printed; only from the environment
}

// s3Params are the query parameters an s3:// URL may carry.
var s3Params = map[string]bool{
	"endpoint":      true,
	"region":        true,
	"secure":        true,
	"path_style":    true,
	"create_bucket": true,
}

// parseS3URL parses s3://[KEY:SECRET@]BUCKET[/PREFIX]?params, taking credentials
// from getenv when the URL has none.
func parseS3URL(u *url.URL, getenv func(string) string) (s3Config, error) {
	cfg := s3Config{
		Bucket:   u.Hostname(),
		Endpoint: "s3.amazonaws.com",
		Secure:   true,
		Lookup:   minio.BucketLookupAuto,
	}
	if u.Opaque != "" {
		return s3Config{}, configError("s3 URL must be s3://BUCKET[/PREFIX]")
	}
	if cfg.Bucket == "" {
		return s3Config{}, configError("s3 URL has no bucket: write s3://BUCKET[/PREFIX]")
	}
	if u.Port() != "" {
		return s3Config{}, configError("s3 URL bucket %q has a port: put the server in endpoint=HOST:PORT", u.Host)
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return s3Config{}, configError("s3 bucket name %q is not valid: %v", cfg.Bucket, err)
	}
	if u.Fragment != "" {
		return s3Config{}, configError("s3 URL takes no fragment")
	}

	cfg.Prefix = strings.Trim(u.Path, "/")
	for _, seg := range strings.Split(cfg.Prefix, "/") {
		if cfg.Prefix != "" && (seg == "" || seg == "." || seg == "..") {
			return s3Config{}, configError("s3 key prefix %q has an empty, . or .. segment", cfg.Prefix)
		}
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return s3Config{}, configError("s3 URL query is badly escaped")
	}
	for k, v := range q {
		if !s3Params[k] {
			return s3Config{}, configError("unknown s3 URL parameter %q: known are endpoint, region, secure, path_style, create_bucket", k)
		}
		if len(v) != 1 {
			return s3Config{}, configError("s3 URL parameter %q is given %d times", k, len(v))
		}
	}
	if v, ok := q["endpoint"]; ok {
		cfg.Endpoint = v[0]
		if cfg.Endpoint == "" || strings.ContainsAny(cfg.Endpoint, "/?#@") {
			return s3Config{}, configError("s3 endpoint %q: want HOST or HOST:PORT without scheme or path (use secure=false for plain HTTP)", cfg.Endpoint)
		}
	}
	if v, ok := q["region"]; ok {
		cfg.Region = v[0]
	}
	boolParam := func(name string, dst *bool) error {
		v, ok := q[name]
		if !ok {
			return nil
		}
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return configError("s3 URL parameter %s=%q is not true or false", name, v[0])
		}
		*dst = b
		return nil
	}
	if err := boolParam("secure", &cfg.Secure); err != nil {
		return s3Config{}, err
	}
	if err := boolParam("create_bucket", &cfg.CreateBucket); err != nil {
		return s3Config{}, err
	}
	if _, ok := q["path_style"]; ok {
		var pathStyle bool
		if err := boolParam("path_style", &pathStyle); err != nil {
			return s3Config{}, err
		}
		cfg.Lookup = minio.BucketLookupDNS
		if pathStyle {
			cfg.Lookup = minio.BucketLookupPath
		}
	}

	if u.User != nil {
		cfg.AccessKey = u.User.Username()
		cfg.SecretKey, _ = u.User.Password()
		if cfg.AccessKey == "" || cfg.SecretKey == "" {
			return s3Config{}, configError("s3 URL credentials must be KEY:SECRET@, both non-empty")
		}
	} else {
		cfg.AccessKey = getenv("AWS_ACCESS_KEY_ID")
		cfg.SecretKey = getenv("AWS_SECRET_ACCESS_KEY")
		cfg.SessionToken = getenv("AWS_SESSION_TOKEN")
		if cfg.AccessKey == "" || cfg.SecretKey == "" {
			return s3Config{}, configError("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write s3://KEY:SECRET@BUCKET")
		}
	}
	return cfg, nil
}
