// The Go PDK test plugin: every export is an Extism function, () -> i32 (0 = success).
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/extism/go-pdk"
)

// countVowels counts the vowels of the input (the set comes from config "vowels", default aeiouAEIOU) and keeps a
// running total in the var "total".
//
//go:wasmexport count_vowels
func countVowels() int32 {
	vowels, ok := pdk.GetConfig("vowels")
	if !ok {
		vowels = "aeiouAEIOU"
	}
	count := 0
	for _, r := range pdk.InputString() {
		if strings.ContainsRune(vowels, r) {
			count++
		}
	}
	total := count
	if prev := pdk.GetVar("total"); prev != nil {
		n, _ := strconv.Atoi(string(prev))
		total += n
	}
	pdk.SetVar("total", []byte(strconv.Itoa(total)))
	pdk.Log(pdk.LogInfo, "counted "+strconv.Itoa(count)+" vowels")
	out, _ := json.Marshal(map[string]any{"count": count, "total": total, "vowels": vowels})
	pdk.Output(out)
	return 0
}

type greeting struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

type reply struct {
	Message string `json:"message"`
	NextAge int    `json:"nextAge"`
}

//go:wasmexport greet_json
func greetJSON() int32 {
	var in greeting
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	if err := pdk.OutputJSON(reply{Message: "Hello, " + in.Name + "!", NextAge: in.Age + 1}); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}

//go:wasmexport echo
func echo() int32 {
	pdk.Output(pdk.Input())
	return 0
}

//go:wasmexport fail
func fail() int32 {
	pdk.SetErrorString("refused: " + pdk.InputString())
	return 1
}

//go:wasmimport extism:host/user shout
func shout(offset uint64) uint64

// callHost passes the input to the host function extism:host/user shout and outputs what it returns.
//
//go:wasmexport call_host
func callHost() int32 {
	in := pdk.AllocateBytes(pdk.Input())
	out := pdk.FindMemory(shout(in.Offset()))
	pdk.OutputMemory(out)
	return 0
}

//go:wasmexport http_get
func httpGet() int32 {
	res := pdk.NewHTTPRequest(pdk.MethodGet, pdk.InputString()).SetHeader("X-Plugin", "go").Send()
	pdk.OutputString(strconv.Itoa(int(res.Status())) + " " + string(res.Body()))
	return 0
}

//go:wasmexport read_file
func readFile() int32 {
	data, err := os.ReadFile(pdk.InputString())
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	pdk.Output(data)
	return 0
}

var spins uint64

//go:wasmexport spin
func spin() int32 {
	for {
		spins++
	}
}

func main() {}
