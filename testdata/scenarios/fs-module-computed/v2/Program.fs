module Scn.Program

let weights = [ 2; 3; 5 ]
let total = List.sum weights * 3

let Run () : string =
    "total: " + string total
