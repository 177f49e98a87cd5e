package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// CertPool is the system's trusted certificates with those of CAFile
// added; nil, and no error, when CAFile is not set (the system's alone).
// SSL_CERT_FILE and SSL_CERT_DIR change the system's for the whole process.
func (s Server) CertPool() (*x509.CertPool, error) {
	if s.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", errors.Unwrap(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("holds no PEM certificate: %s", s.CAFile)
	}
	return pool, nil
}
