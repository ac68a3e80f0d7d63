module Scn.Program

let Run () : string =
    string (List.map (fun x -> x + 1) [ 1; 2 ])
    // and one between them
    + string (List.map (fun x -> x * 30 + 5) [ 1; 2 ])
