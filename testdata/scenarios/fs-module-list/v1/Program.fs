module Scn.Program

let shippingBands = [ 1.0, 4.90m; 5.0, 7.50m ]

let shipping (kg: float) =
    shippingBands |> List.filter (fun (limit, _) -> kg <= limit) |> List.map snd |> List.tryHead

let Run () : string =
    sprintf "%A %A" (shipping 0.5) (shipping 3.0)
