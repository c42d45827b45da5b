// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"fmt"
	"reflect"
	"sort"
)

// Metadata policies (OpenID Federation 1.0, section 6.1): the superiors of
// an entity constrain its metadata. procedo merges the policies of the
// chain, the trust anchor's first, and applies the result to the OP's
// metadata, refusing the OP if the metadata break it.

// policyOperators are the operators procedo understands, in the order they
// are applied.
var policyOperators = []string{"value", "add", "default", "one_of", "subset_of", "superset_of", "essential"}

func knownOperator(op string) bool {
	for _, o := range policyOperators {
		if o == op {
			return true
		}
	}
	return false
}

// mergePolicies combines the policies for entityType of statements, in
// order (superior first). A conflict (two different "value"s, one_of sets
// with nothing in common) or an operator marked critical that procedo does
// not understand is an error.
func mergePolicies(entityType string, statements []*entityStatement) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, st := range statements {
		for _, op := range st.PolicyCrit {
			if !knownOperator(op) {
				return nil, fmt.Errorf("the metadata policy of %s uses the critical operator %q, which procedo does not implement", st.Issuer, op)
			}
		}
		for param, ops := range st.MetadataPolicy[entityType] {
			cur := out[param]
			if cur == nil {
				cur = map[string]any{}
				out[param] = cur
			}
			for op, v := range ops {
				prev, had := cur[op]
				if !had {
					cur[op] = v
					continue
				}
				merged, err := mergeOperator(op, prev, v)
				if err != nil {
					return nil, fmt.Errorf("the metadata policy of %s for %s: %w", st.Issuer, param, err)
				}
				cur[op] = merged
			}
		}
	}
	return out, nil
}

func mergeOperator(op string, a, b any) (any, error) {
	switch op {
	case "value", "default":
		if !reflect.DeepEqual(a, b) {
			return nil, fmt.Errorf("conflicting %s %v and %v", op, a, b)
		}
		return a, nil
	case "add", "superset_of":
		return union(asList(a), asList(b)), nil
	case "one_of", "subset_of":
		in := intersect(asList(a), asList(b))
		if op == "one_of" && len(in) == 0 {
			return nil, fmt.Errorf("one_of %v and %v have nothing in common", a, b)
		}
		return in, nil
	case "essential":
		ea, _ := a.(bool)
		eb, _ := b.(bool)
		return ea || eb, nil
	}
	return b, nil // unknown, not critical: ignored when applied
}

// applyPolicy applies a merged policy to metadata, in place. The error says
// which parameter breaks which operator.
func applyPolicy(meta map[string]any, policy map[string]map[string]any) error {
	params := make([]string, 0, len(policy))
	for p := range policy {
		params = append(params, p)
	}
	sort.Strings(params)
	for _, param := range params {
		ops := policy[param]
		for _, op := range policyOperators {
			arg, ok := ops[op]
			if !ok {
				continue
			}
			cur, present := meta[param]
			switch op {
			case "value":
				if arg == nil {
					delete(meta, param)
				} else {
					meta[param] = arg
				}
			case "add":
				meta[param] = union(asList(cur), asList(arg))
			case "default":
				if !present || cur == nil {
					meta[param] = arg
				}
			case "one_of":
				if present && !contains(asList(arg), cur) {
					return fmt.Errorf("the policy forbids %s = %v (allowed: one of %v)", param, cur, arg)
				}
			case "subset_of":
				if present {
					in := intersect(asList(cur), asList(arg))
					if len(in) == 0 {
						delete(meta, param)
					} else if _, list := cur.([]any); list {
						meta[param] = in
					} else {
						meta[param] = in[0]
					}
				}
			case "superset_of":
				if present {
					have := asList(cur)
					for _, want := range asList(arg) {
						if !contains(have, want) {
							return fmt.Errorf("the policy requires %s to include %v, it is %v", param, want, cur)
						}
					}
				}
			case "essential":
				if e, _ := arg.(bool); e {
					if _, ok := meta[param]; !ok {
						return fmt.Errorf("the policy requires %s, which is missing", param)
					}
				}
			}
		}
	}
	return nil
}

// asList returns v as a list: a JSON array as is, nil as empty, a single
// value as a list of one.
func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

func contains(list []any, v any) bool {
	for _, x := range list {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}

func union(a, b []any) []any {
	out := append([]any{}, a...)
	for _, v := range b {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func intersect(a, b []any) []any {
	out := []any{}
	for _, v := range a {
		if contains(b, v) && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
