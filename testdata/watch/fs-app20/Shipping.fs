// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Shipping

type ShippingItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "shipping-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 8 + 6

let total (items: ShippingItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: ShippingItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Pricing.scale x + 1
