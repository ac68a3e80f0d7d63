module Scn.Program

let weights = [ 2; 3; 7 ]
let total = List.sum weights * 2

let Run () : string =
    "total: " + string total
