module Scn.Program
// a line inserted above both closures

let Run () : string =
    string (List.map (fun x -> x + 1) [ 1; 2 ])
    // and one between them
    + string (List.map (fun x -> x * 30) [ 1; 2 ])
