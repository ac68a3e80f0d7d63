module Scn.Program

let rate = 4.25m
let label = "rate"

let Run () : string =
    label + ": " + string (rate * 2m)
