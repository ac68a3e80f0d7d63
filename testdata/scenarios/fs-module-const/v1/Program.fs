module Scn.Program

let rate = 3.5m
let label = "rate"

let Run () : string =
    label + ": " + string (rate * 2m)
