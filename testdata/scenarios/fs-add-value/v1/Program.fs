module Scn.Program

let scale (x: int) = x * 3

let Run () : string =
    sprintf "scaled=%d" (scale 7)
