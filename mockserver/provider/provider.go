// Package provider holds the types of the control API's provider-state contract that every API
// package implements: principals of named roles, and the errors that map to the contract's statuses.
package provider

import (
	"context"
	"errors"
	"strings"
)

// Principal is a user or client of a named role with credentials a test can log in with. Fields a
// role does not use are left empty. It is the control API's Principal schema.
type Principal struct {
	Role         string `json:"role"`
	API          string `json:"api"`
	Kind         string `json:"kind"` // user or client
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	Email        string `json:"email,omitempty"`
	UserID       int64  `json:"user_id,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	CustomerID   int64  `json:"customer_id,omitempty"`
	SupplierID   int64  `json:"supplier_id,omitempty"`
}

// Maker makes principals of one API's roles: the control API's createPrincipal dispatches to the
// Maker of the API a role names.
type Maker interface {
	// NewPrincipal returns credentials of a principal with the role, or ErrUnknownRole.
	NewPrincipal(ctx context.Context, role string) (Principal, error)
}

// The principal kinds.
const (
	KindUser   = "user"
	KindClient = "client"
)

// Errors an API's provider-state operations return; the control API maps them to 404.
var (
	ErrUnknownRole = errors.New("unknown role")
	ErrNotFound    = errors.New("not found")
)

// APIOf returns the API a role belongs to: "rambase" for "rambase.internal_user".
func APIOf(role string) string {
	api, _, _ := strings.Cut(role, ".")
	return api
}
