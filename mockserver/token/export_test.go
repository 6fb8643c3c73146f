package token

// RSAKeysGenerated reports how many times this process generated the RSA key.
func RSAKeysGenerated() int32 { return rsaKeysGenerated.Load() }
