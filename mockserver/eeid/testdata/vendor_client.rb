# eeID's own client and webhook receiver, as internetee/registry has them, ported for idvkit's tests.
#
# The request path is Eeid::Base (app/services/eeid/base.rb) and Eeid::IdentificationService
# (identification_service.rb): the same Net::HTTP requests with the same headers, the same token
# handling, the same dispatch on the response's Content-Type. The signature check is the webhook
# IdentificationRequestsController's valid_hmac_signature?. Rails is left out (its logger, Rails.env,
# with_indifferent_access): nothing that touches the wire. This is a port written for these tests, not
# the vendor's file; mockserver/eeid/vendor_test.go runs it against the mock.
#
#   ruby vendor_client.rb create BASE_URL CLIENT_ID CLIENT_SECRET REFERENCE  -> the created request
#   ruby vendor_client.rb get    BASE_URL CLIENT_ID CLIENT_SECRET ID         -> the request
#   ruby vendor_client.rb proof  BASE_URL CLIENT_ID CLIENT_SECRET ID         -> {bytes, head, message}
#   ruby vendor_client.rb receive BASE_URL CLIENT_ID CLIENT_SECRET           -> a webhook delivery:
#       the raw body on stdin, the X-HMAC-Signature header in HMAC_SIGNATURE; exit 3 on a bad signature
#
# Each prints one JSON document; an IdentError prints {"error": message} and exits 2.
require 'base64'
require 'json'
require 'net/http'
require 'openssl'
require 'uri'

class IdentError < StandardError; end

# Eeid::Base's request path.
class Client
  TOKEN_ENDPOINT = '/api/auth/v1/token'

  def initialize(base_url, client_id, client_secret)
    @base_url = base_url
    @client_id = client_id
    @client_secret = client_secret
    @token = nil
  end

  def create_identification_request(params)
    request_endpoint('/api/ident/v1/identification_requests', method: :post, body: params)
  end

  def get_identification_request(id)
    request_endpoint("/api/ident/v1/identification_requests/#{id}")
  end

  def get_proof_of_identity(id)
    request_endpoint("/api/ident/v1/identification_requests/#{id}/proof_of_identity")
  end

  def request_endpoint(endpoint, method: :get, body: nil)
    authenticate unless @token
    request = build_request(endpoint, method, body)
    handle_response(send_request(request))
  rescue StandardError => e
    raise IdentError, e.message
  end

  def authenticate
    uri = URI.parse("#{@base_url}#{TOKEN_ENDPOINT}")
    request = Net::HTTP::Post.new(uri) # no body, no Content-Type
    request['Authorization'] = "Basic #{Base64.strict_encode64("#{@client_id}:#{@client_secret}")}"
    response = Net::HTTP.start(uri.hostname, uri.port, use_ssl: false) { |http| http.request(request) }
    raise IdentError, "Authentication failed: #{response.body}" unless response.is_a?(Net::HTTPSuccess)

    @token = JSON.parse(response.body)['access_token']
  end

  private

  def build_request(endpoint, method, body)
    uri = URI.parse("#{@base_url}#{endpoint}")
    request = case method.to_sym
              when :get then Net::HTTP::Get.new(uri)
              when :post then Net::HTTP::Post.new(uri)
              else raise IdentError, "Unsupported HTTP method: #{method}"
              end
    request['Authorization'] = "Bearer #{@token}"
    request.body = body.to_json if body
    request.content_type = 'application/json' # on GETs too, with no body
    request
  end

  def send_request(request)
    uri = URI.parse(request.uri.to_s)
    Net::HTTP.start(uri.hostname, uri.port, use_ssl: false) { |http| http.request(request) }
  end

  def handle_response(response)
    case response['content-type']
    when 'application/pdf', 'application/octet-stream'
      parsed = { 'data' => response.body, 'message' => response['content-disposition'] }
    when %r{application/json}
      parsed = JSON.parse(response.body)
    else
      raise IdentError, 'Unsupported content type'
    end
    raise IdentError, parsed['error'] unless response.is_a?(Net::HTTPSuccess)

    parsed
  end
end

# The webhook controller's valid_hmac_signature?: the raw body stripped of all whitespace, the header
# stripped, compared in constant time.
def valid_hmac_signature?(secret, raw_post, hmac_signature)
  canonical_body = raw_post.to_s.gsub(/[\s]+/, '')
  provided = hmac_signature.to_s.strip
  computed = OpenSSL::HMAC.hexdigest('SHA256', secret, canonical_body)
  computed.bytesize == provided.bytesize && OpenSSL.fixed_length_secure_compare(computed, provided)
end

command, base_url, client_id, client_secret, arg = ARGV
client = Client.new(base_url, client_id, client_secret)
begin
  case command
  when 'create'
    out = client.create_identification_request(
      claims_required: [{ type: 'sub', value: 'EE30303039914' }], reference: arg
    )
  when 'get'
    out = client.get_identification_request(arg)
  when 'proof'
    poi = client.get_proof_of_identity(arg)
    out = { bytes: poi['data'].bytesize, head: poi['data'][0, 5], message: poi['message'] }
  when 'receive'
    raw_post = $stdin.read
    unless valid_hmac_signature?(client_secret, raw_post, ENV['HMAC_SIGNATURE'])
      puts({ error: 'Invalid HMAC signature' }.to_json)
      exit 3
    end
    params = JSON.parse(raw_post)
    # What the controller does before it answers: the request (with a new token), then the proof.
    request = client.get_identification_request(params['identification_request_id'])
    poi = client.get_proof_of_identity(params['identification_request_id'])
    out = { reference: params['reference'], client_id: params['client_id'], status: request['status'],
            sub: (request['result'] || {})['sub'], poi_bytes: poi['data'].bytesize }
  else
    abort "unknown command #{command}"
  end
  puts out.to_json
rescue IdentError => e
  puts({ error: e.message }.to_json)
  exit 2
end
