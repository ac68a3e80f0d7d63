module Scn.Program

let shippingBands = [ 1.0, 5.10m; 5.0, 7.90m ]

let shipping (kg: float) =
    shippingBands |> List.filter (fun (limit, _) -> kg <= limit) |> List.map snd |> List.tryHead

let Run () : string =
    sprintf "%A %A" (shipping 0.5) (shipping 3.0)
