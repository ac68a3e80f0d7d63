module Scn.Program
// a line inserted above both closures

let Run () : string =
    string (List.map (fun x -> x + 1) [ 1; 2 ])
    + string (List.map (fun x -> x * 20) [ 1; 2 ])
