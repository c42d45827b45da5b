// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/procedo/procedo"
)

func TestOpen_ErrURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		wantErr string
	}{
		{"Empty", "", "no scheme"},
		{"NoScheme", "./data/blobs", "no scheme"},
		{"HTTP", "http://example.org/blobs", `unsupported blob store URL scheme "http"`},
		{"Postgres", "postgres://db/procedo", `unsupported blob store URL scheme "postgres"`},
		{"Unparsable", "s3://key:top%zzsecret@bucket", "cannot be parsed"},
		{"FileHost", "file://data/blobs", `names host "data"`},
		{"S3UnknownParam", "s3://key:topsecret@bucket?pathstyle=true", `unknown s3 URL parameter "pathstyle"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tc.url)
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "top%zzsecret") {
				t.Errorf("err reveals the secret: %v", err)
			}
		})
	}
}

func TestParseFileURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		want    string
		wantErr string
	}{
		{name: "Relative", url: "file:./data/blobs", want: "data/blobs"},
		{name: "RelativeBare", url: "file:data", want: "data"},
		{name: "RelativeParent", url: "file:../shared/blobs", want: "../shared/blobs"},
		{name: "Absolute", url: "file:///var/lib/procedo/blobs", want: "/var/lib/procedo/blobs"},
		{name: "AbsoluteOneSlash", url: "file:/var/lib/procedo", want: "/var/lib/procedo"},
		{name: "Localhost", url: "file://localhost/srv/blobs/", want: "/srv/blobs"},
		{name: "Escaped", url: "file:my%20blobs", want: "my blobs"},
		{name: "ErrNoPath", url: "file:", wantErr: "no path"},
		{name: "ErrNoPathSlashes", url: "file://", wantErr: "no path"},
		{name: "ErrHost", url: "file://server/blobs", wantErr: `names host "server"`},
		{name: "ErrQuery", url: "file:./blobs?sync=false", wantErr: "no query"},
		{name: "ErrFragment", url: "file:./blobs#x", wantErr: "no query or fragment"},
		{name: "ErrCredentials", url: "file://user:pass@/blobs", wantErr: "credentials"},
		{name: "ErrBadEscape", url: "file:blobs%2", wantErr: "badly escaped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tc.url)
			if err != nil {
				if tc.wantErr != "" {
					return // refused even earlier, by url.Parse in Open
				}
				t.Fatal(err)
			}
			got, err := parseFileURL(u)
			if tc.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want EINVALID mentioning %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseS3URL(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     "env-key",
		"AWS_SECRET_ACCESS_KEY": "env-secret",
		"AWS_SESSION_TOKEN":     "env-token",
	}
	withEnv := func(k string) string { return env[k] }
	noEnv := func(string) string { return "" }

	tests := []struct {
		name    string
		url     string
		getenv  func(string) string
		want    s3Config
		wantErr string
	}{
		{
			name: "Defaults", url: "s3://procedo-docs", getenv: withEnv,
			want: s3Config{
				Bucket: "procedo-docs", Endpoint: "s3.amazonaws.com", Secure: true, Lookup: minio.BucketLookupAuto,
				AccessKey: "env-key", SecretKey: "env-secret", SessionToken: "env-token",
			},
		},
		{
			name:   "AllParams",
			url:    "s3://procedo-docs/comune/prod/?endpoint=minio.local:9000&region=eu-south-1&secure=false&path_style=true&create_bucket=1",
			getenv: withEnv,
			want: s3Config{
				Bucket: "procedo-docs", Prefix: "comune/prod", Endpoint: "minio.local:9000", Region: "eu-south-1",
				Secure: false, Lookup: minio.BucketLookupPath, CreateBucket: true,
				AccessKey: "env-key", SecretKey: "env-secret", SessionToken: "env-token",
			},
		},
		{
			name: "VirtualHostStyle", url: "s3://bk1?path_style=false&secure=true", getenv: withEnv,
			want: s3Config{
				Bucket: "bk1", Endpoint: "s3.amazonaws.com", Secure: true, Lookup: minio.BucketLookupDNS,
				AccessKey: "env-key", SecretKey: "env-secret", SessionToken: "env-token",
			},
		},
		{
			name: "CredentialsInURL", url: "s3://url-key:url%2Fsecret@bk1", getenv: withEnv,
			want: s3Config{
				Bucket: "bk1", Endpoint: "s3.amazonaws.com", Secure: true, Lookup: minio.BucketLookupAuto,
				AccessKey: "url-key", SecretKey: "url/secret",
			},
		},
		{name: "ErrNoCredentials", url: "s3://bk1", getenv: noEnv, wantErr: "no S3 credentials"},
		{name: "ErrOnlyKeyInURL", url: "s3://url-key@bk1", getenv: withEnv, wantErr: "KEY:SECRET@"},
		{name: "ErrNoBucket", url: "s3:///prefix", getenv: withEnv, wantErr: "no bucket"},
		{name: "ErrOpaque", url: "s3:bucket", getenv: withEnv, wantErr: "s3://BUCKET"},
		{name: "ErrBucketName", url: "s3://Bad_Bucket", getenv: withEnv, wantErr: "not valid"},
		{name: "ErrBucketPort", url: "s3://bucket:9000", getenv: withEnv, wantErr: "endpoint=HOST:PORT"},
		{name: "ErrUnknownParam", url: "s3://bk1?bucket_lookup=path", getenv: withEnv, wantErr: `unknown s3 URL parameter "bucket_lookup"`},
		{name: "ErrRepeatedParam", url: "s3://bk1?region=a&region=b", getenv: withEnv, wantErr: "given 2 times"},
		{name: "ErrBool", url: "s3://bk1?secure=maybe", getenv: withEnv, wantErr: `secure="maybe"`},
		{name: "ErrPathStyleBool", url: "s3://bk1?path_style=yes", getenv: withEnv, wantErr: "path_style"},
		{name: "ErrEndpointScheme", url: "s3://bk1?endpoint=http://minio:9000", getenv: withEnv, wantErr: "without scheme"},
		{name: "ErrEndpointEmpty", url: "s3://bk1?endpoint=", getenv: withEnv, wantErr: "without scheme"},
		{name: "ErrPrefixEmptySegment", url: "s3://bk1/a//b", getenv: withEnv, wantErr: "empty, . or .. segment"},
		{name: "ErrPrefixDotDot", url: "s3://bk1/a/../b", getenv: withEnv, wantErr: "empty, . or .. segment"},
		{name: "ErrFragment", url: "s3://bk1#x", getenv: withEnv, wantErr: "fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseS3URL(u, tc.getenv)
			if tc.wantErr != "" {
				if procedo.ErrorCode(err) != procedo.EINVALID || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %+v, %v; want EINVALID mentioning %q", got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "env-secret") || strings.Contains(err.Error(), "url/secret") {
					t.Errorf("err reveals the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
