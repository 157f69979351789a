// Package jsoncore is the JSON text layer shared by translate (Connect error
// bodies to gRPC statuses and back) and gateway/wirejson (Connect resources
// to protobuf and back): one grammar, one escaper, one set of number and
// UTF-8 rules, so that the two cannot drift apart.
//
// It has two ways in, for two kinds of caller:
//
//   - [Scanner] reads JSON token by token and reports the first syntax error
//     with its offset ([SyntaxError]). It bounds nesting, and skips a value
//     it does not need with the tight loop of [Valid] before it falls back to
//     token-by-token scanning to explain an error.
//   - [Valid] checks a whole body as encoding/json's Valid does; once a body
//     is valid, the walking functions ([SkipValue], [ForMembers],
//     [ForElements], [DecodeString], [AppendCompact]) index it as byte
//     [Span]s without checking it again, so that nothing is decoded until it
//     is needed.
//
// Wherever it matters for a round trip the package agrees with encoding/json
// (v1): a string with invalid UTF-8 or a lone surrogate escape decodes with
// one U+FFFD per invalid byte or escape, [AppendString] escapes what JSON
// requires plus U+2028 and U+2029 (and leaves HTML characters alone, as
// Connect does), and [Valid] accepts exactly what json.Valid accepts.
//
// The tokenizer is our own. github.com/go-json-experiment/json's jsontext
// (v1.27.2, the candidate for encoding/json/jsontext) was measured in its
// place, Scanner on jsontext.Decoder and Valid on jsontext.Value.IsValid,
// by an interleaved A/B of the test binaries: it validates a 190 KB error
// body a little faster, but the gRPC face's transcoder (AppendProto) took
// 1.4 times as long and the decoder (Unmarshal) 1.1 to 1.3 times, well over
// the 10 % a maintained tokenizer was allowed to cost. It checks more than
// these callers need (UTF-8 and name uniqueness unless told not to, a state
// machine per token) and cannot return to a saved position, which the
// decoding of update actions needs.
package jsoncore
