module Scn.Program

// A module value made with library calls: the startup code calls into FSharp.Core.
let bands = [ 1; 5; 10 ] |> List.map string |> String.concat "/"

let scaled (xs: int list) =
    xs |> List.map (fun v -> v * 3 + 1) |> List.sum

let Run () : string =
    sprintf "%s %s=%d" bands "total" (scaled [ 1; 2; 3 ])
