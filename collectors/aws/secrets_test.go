package aws

import (
	"net/http"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func secrets() *awsfake.State {
	const r = "eu-central-1"
	return &awsfake.State{Secrets: awsfake.Secrets{
		Secrets: []awsfake.Secret{
			{Name: "prod/db", Region: r, RotationDays: 30, LastRotated: t0, Created: t0, KMSKey: "arn:aws:kms:eu-central-1:123456789012:key/k"},
			{Name: "prod/api-token", Region: r, Created: t0},
			{Name: "us/other", Region: "us-east-1", Created: t0},
		},
		Parameters: []awsfake.Parameter{
			{Name: "/app/db_password", Region: r, Type: "SecureString", Modified: t0},
			{Name: "/app/API_KEY", Region: r, Type: "String", Modified: t0},
			{Name: "/app/feature-flags", Region: r, Type: "StringList", Modified: t0},
		},
	}}
}

func TestSecretsManagerSecrets(t *testing.T) {
	t.Parallel()
	const c, r = "aws.secretsmanager", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: SecretType,
			state: func() *awsfake.State {
				st := secrets()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"prod/api-token", "prod/db"},
			wantAttrs: map[string]any{"rotation_enabled": false, "rotation_days": 0, "last_rotated": "", "customer_managed_key": false,
				"created": "2025-01-02T03:04:05Z"},
			wantCalls: map[string]int{"secretsmanager:ListSecrets": 2}},
		{name: "rotated", collector: c, region: r, typ: SecretType,
			state: func() *awsfake.State {
				st := secrets()
				st.Secrets.Secrets = st.Secrets.Secrets[:1]
				return st
			},
			wantNames: []string{"prod/db"},
			wantAttrs: map[string]any{"rotation_enabled": true, "rotation_days": 30, "last_rotated": "2025-01-02T03:04:05Z", "customer_managed_key": true}},
		{name: "empty", collector: c, region: r, typ: SecretType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(secrets(), "secretsmanager:ListSecrets", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "secretsmanager:ListSecrets"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(secrets(), "secretsmanager:ListSecrets", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"secretsmanager:ListSecrets": 2}},
		{name: "cancelled", collector: c, region: r, state: secrets, block: "secretsmanager:ListSecrets"},
	})
}

func TestSSMParameters(t *testing.T) {
	t.Parallel()
	const c, r = "aws.ssm", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: ParameterType,
			state: func() *awsfake.State {
				st := secrets()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"/app/API_KEY", "/app/db_password", "/app/feature-flags"},
			wantAttrs: map[string]any{"type": "String", "secret_like": true, "last_modified": "2025-01-02T03:04:05Z"},
			wantCalls: map[string]int{"ssm:DescribeParameters": 2}},
		{name: "not secret-like", collector: c, region: r, typ: ParameterType,
			state: func() *awsfake.State {
				st := secrets()
				st.Secrets.Parameters = st.Secrets.Parameters[2:]
				return st
			},
			wantNames: []string{"/app/feature-flags"},
			wantAttrs: map[string]any{"type": "StringList", "secret_like": false}},
		{name: "empty", collector: c, region: r, typ: ParameterType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(secrets(), "ssm:DescribeParameters", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "ssm:DescribeParameters"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(secrets(), "ssm:DescribeParameters", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ssm:DescribeParameters": 2}},
		{name: "cancelled", collector: c, region: r, state: secrets, block: "ssm:DescribeParameters"},
	})
}
