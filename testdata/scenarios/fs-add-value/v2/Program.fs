module Scn.Program

let scale (x: int) = x * 3

// A module value computed at start-up: a running program never computes it.
let limit = List.max [ 3; 9; 4 ]

let Run () : string =
    sprintf "scaled=%d limit=%d" (scale 7) limit
