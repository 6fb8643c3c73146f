package steps

// Principal is a user or client of a named role and its credentials, as the suite reads them: the
// control API's Principal (openapi/control.yaml), which its createPrincipal answers and a principals
// file holds. The suite keeps its own view of that contract rather than the mock's Go type: it talks
// to implementations that are not the mock, through the contract, and the mock may shape its type
// for its own needs. A test holds this one to control.yaml.
type Principal struct {
	Role         string            `json:"role" yaml:"role"`
	API          string            `json:"api" yaml:"api"`
	Kind         string            `json:"kind" yaml:"kind"` // KindUser or KindClient
	ID           string            `json:"id,omitempty" yaml:"id"`
	Username     string            `json:"username,omitempty" yaml:"username"`
	Password     string            `json:"password,omitempty" yaml:"password"`
	Email        string            `json:"email,omitempty" yaml:"email"`
	ClientID     string            `json:"client_id,omitempty" yaml:"client_id"`
	ClientSecret string            `json:"client_secret,omitempty" yaml:"client_secret"`
	Attributes   map[string]string `json:"attributes,omitempty" yaml:"attributes"`
}

// The principal kinds of the control API's Principal.
const (
	KindUser   = "user"
	KindClient = "client"
)
