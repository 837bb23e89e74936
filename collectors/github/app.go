package github

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// AppConfig configures authentication as a GitHub App installation. The
// private key is read from the environment or a file, never from the
// configuration itself.
type AppConfig struct {
	// AppID is the GitHub App's ID. Required.
	AppID int64 `yaml:"app_id"`
	// InstallationID is the installation on the organisation. Required.
	InstallationID int64 `yaml:"installation_id"`
	// PrivateKeyEnv names an environment variable holding the PEM private
	// key. Default GITHUB_APP_PRIVATE_KEY.
	PrivateKeyEnv string `yaml:"private_key_env"`
	// PrivateKeyFile is a path to the PEM private key, used when the
	// environment variable is empty.
	PrivateKeyFile string `yaml:"private_key_file"`

	// PrivateKey, when set, is used directly (tests).
	PrivateKey *rsa.PrivateKey `yaml:"-"`
}

// appTokenSource exchanges an RS256-signed app JWT for installation tokens
// (POST /app/installations/{installation_id}/access_tokens) and caches them
// until shortly before they expire.
type appTokenSource struct {
	cfg    AppConfig
	key    *rsa.PrivateKey
	apiURL string
	hc     *http.Client
	now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newAppTokenSource(cfg AppConfig, apiURL string, hc *http.Client, now func() time.Time) (*appTokenSource, error) {
	if cfg.AppID == 0 || cfg.InstallationID == 0 {
		return nil, errors.New("github: app needs app_id and installation_id")
	}
	key := cfg.PrivateKey
	if key == nil {
		env := cfg.PrivateKeyEnv
		if env == "" {
			env = "GITHUB_APP_PRIVATE_KEY"
		}
		data := []byte(os.Getenv(env))
		if len(data) == 0 && cfg.PrivateKeyFile != "" {
			var err error
			if data, err = os.ReadFile(cfg.PrivateKeyFile); err != nil {
				return nil, fmt.Errorf("github: app private key: %w", err)
			}
		}
		var err error
		if key, err = parseRSAKey(data); err != nil {
			return nil, err
		}
	}
	return &appTokenSource{cfg: cfg, key: key, apiURL: apiURL, hc: hc, now: now}, nil
}

func parseRSAKey(data []byte) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("github: app private key: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("github: app private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("github: app private key is not an RSA key")
	}
	return rk, nil
}

// appJWT returns the app's JSON Web Token, signed with RS256 and valid for
// nine minutes (backdated one minute against clock drift).
func appJWT(key *rsa.PrivateKey, appID int64, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{
		"iat": now.Add(-time.Minute).Unix(),
		"exp": now.Add(9 * time.Minute).Unix(),
		"iss": strconv.FormatInt(appID, 10),
	})
	if err != nil {
		return "", err
	}
	signing := header + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("github: sign app JWT: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// Token returns a valid installation token.
func (s *appTokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.token != "" && now.Before(s.expires.Add(-5*time.Minute)) {
		return s.token, nil
	}
	jwt, err := appJWT(s.key, s.cfg.AppID, now)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("%sapp/installations/%d/access_tokens", s.apiURL, s.cfg.InstallationID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("github: POST /app/installations/{installation_id}/access_tokens: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("github: installation token: %w", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("github: POST /app/installations/{installation_id}/access_tokens: HTTP %d", resp.StatusCode)
	}
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		return "", errors.New("github: installation token: malformed response")
	}
	s.token, s.expires = out.Token, out.ExpiresAt
	return s.token, nil
}

// appTransport authenticates each request with an installation token.
type appTransport struct {
	base http.RoundTripper
	src  *appTokenSource
}

func (t *appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.src.Token(req.Context())
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok)
	return t.base.RoundTrip(req)
}
