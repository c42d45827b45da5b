// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMetadataPolicy(t *testing.T) {
	meta := func() map[string]any {
		var m map[string]any
		_ = json.Unmarshal([]byte(`{"scopes_supported":["openid","profile"],"token_endpoint_auth_methods_supported":["private_key_jwt","client_secret_basic"],
			"grant_types_supported":["authorization_code"],"subject_types_supported":"pairwise"}`), &m)
		return m
	}
	statement := func(policy string) *entityStatement {
		var p map[string]map[string]any
		if err := json.Unmarshal([]byte(policy), &p); err != nil {
			t.Fatal(err)
		}
		return &entityStatement{Issuer: "https://ta", MetadataPolicy: map[string]map[string]map[string]any{"openid_provider": p}}
	}
	for _, tc := range []struct {
		name     string
		policies []string
		crit     []string
		want     string // JSON of the resulting metadata, or
		err      string // the error
	}{
		{name: "value replaces", policies: []string{`{"subject_types_supported":{"value":"public"}}`}, want: `"subject_types_supported":"public"`},
		{name: "value null removes", policies: []string{`{"subject_types_supported":{"value":null}}`}, want: `"scopes_supported":["openid","profile"],"token_endpoint_auth_methods_supported"`},
		{name: "add", policies: []string{`{"scopes_supported":{"add":["email","openid"]}}`}, want: `"scopes_supported":["openid","profile","email"]`},
		{name: "add merged", policies: []string{`{"scopes_supported":{"add":["email"]}}`, `{"scopes_supported":{"add":["offline_access"]}}`},
			want: `"scopes_supported":["openid","profile","email","offline_access"]`},
		{name: "default when absent", policies: []string{`{"acr_values_supported":{"default":["L2"]}}`}, want: `"acr_values_supported":["L2"]`},
		{name: "default when present", policies: []string{`{"subject_types_supported":{"default":"public"}}`}, want: `"subject_types_supported":"pairwise"`},
		{name: "one_of ok", policies: []string{`{"subject_types_supported":{"one_of":["pairwise","public"]}}`}, want: `"subject_types_supported":"pairwise"`},
		{name: "one_of refused", policies: []string{`{"subject_types_supported":{"one_of":["public"]}}`}, err: "forbids subject_types_supported"},
		{name: "one_of merged empty", policies: []string{`{"subject_types_supported":{"one_of":["public"]}}`, `{"subject_types_supported":{"one_of":["pairwise"]}}`},
			err: "nothing in common"},
		{name: "subset_of", policies: []string{`{"token_endpoint_auth_methods_supported":{"subset_of":["private_key_jwt","tls_client_auth"]}}`},
			want: `"token_endpoint_auth_methods_supported":["private_key_jwt"]`},
		{name: "subset_of empties", policies: []string{`{"token_endpoint_auth_methods_supported":{"subset_of":["tls_client_auth"],"essential":true}}`},
			err: "requires token_endpoint_auth_methods_supported, which is missing"},
		{name: "superset_of ok", policies: []string{`{"scopes_supported":{"superset_of":["openid"]}}`}, want: `"scopes_supported":["openid","profile"]`},
		{name: "superset_of refused", policies: []string{`{"scopes_supported":{"superset_of":["openid","email"]}}`}, err: "include email"},
		{name: "essential missing", policies: []string{`{"userinfo_endpoint":{"essential":true}}`}, err: "requires userinfo_endpoint"},
		{name: "value conflict", policies: []string{`{"subject_types_supported":{"value":"public"}}`, `{"subject_types_supported":{"value":"pairwise"}}`},
			err: "conflicting value"},
		{name: "unknown operator ignored", policies: []string{`{"scopes_supported":{"regexp":"^x"}}`}, want: `"scopes_supported":["openid","profile"]`},
		{name: "unknown critical operator", policies: []string{`{"scopes_supported":{"regexp":"^x"}}`}, crit: []string{"regexp"}, err: "critical operator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sts []*entityStatement
			for _, p := range tc.policies {
				sts = append(sts, statement(p))
			}
			sts[0].PolicyCrit = tc.crit
			m := meta()
			policy, err := mergePolicies("openid_provider", sts)
			if err == nil {
				err = applyPolicy(m, policy)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(m)
			if !strings.Contains(string(b), tc.want) {
				t.Fatalf("got %s, want %s", b, tc.want)
			}
		})
	}
}
