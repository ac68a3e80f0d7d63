module Scn.Program

let rate = 0.5m
let label = "tax rate"

let Run () : string =
    label + ": " + string (rate * 2m)
